package sqlstore

import (
	"testing"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/storetest"
)

func TestConformance(t *testing.T) {
	for _, d := range drivers {
		t.Run("driver="+string(d), func(t *testing.T) {
			if d == Postgres {
				pgDSN(t)
			}
			storetest.Run(t, func(t *testing.T) contribution.Store { return openFresh(t, d) })
		})
	}
}
