package storetest_test

import (
	"testing"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/storetest"
)

func TestMemStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) contribution.Store { return contribution.NewMemStore() })
}
