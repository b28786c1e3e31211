package canonjson_test

import (
	"errors"
	"fmt"

	"github.com/peerproduction/ppl/internal/canonjson"
)

func ExampleCanonicalize() {
	out, err := canonjson.Canonicalize([]byte(`{"b": [1E2, 0.10], "a": "\u00e9"}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output: {"a":"é","b":[100,0.1]}
}

func ExampleDecode() {
	var v struct {
		Name string `json:"name"`
	}
	err := canonjson.Decode([]byte(`{"name":"a","name":"b"}`), &v, canonjson.Limits{})
	fmt.Println(errors.Is(err, canonjson.ErrDuplicateKey))
	fmt.Println(err)
	// Output:
	// true
	// canonjson: duplicate object key "name" at /name (offset 12)
}
