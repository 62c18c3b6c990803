// Command json round-trips values through encoding/json.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
)

type Item struct {
	Name  string            `json:"name"`
	Price int64             `json:"price"`
	Tags  []string          `json:"tags,omitempty"`
	Attrs map[string]string `json:"attrs,omitempty"`
	Next  *Item             `json:"next,omitempty"`
	skip  int
}

func main() {
	in := []Item{
		{Name: "apple", Price: 120, Tags: []string{"fruit", "red"}},
		{Name: "bread", Price: 350, Attrs: map[string]string{"z": "last", "a": "first"}},
		{Name: "nested \"quote\" <tag>", Price: -1, Next: &Item{Name: "inner", Price: 7}},
	}
	b, err := json.Marshal(in)
	if err != nil {
		fmt.Println("marshal:", err)
		os.Exit(1)
	}
	fmt.Println(string(b))
	var out []Item
	if err := json.Unmarshal(b, &out); err != nil {
		fmt.Println("unmarshal:", err)
		os.Exit(1)
	}
	fmt.Println("round trip equal:", reflect.DeepEqual(in, out))
	ind, _ := json.MarshalIndent(map[string]any{"k": []any{1, "two", 3.5, nil, true}}, "", "  ")
	fmt.Println(string(ind))
	var generic any
	json.Unmarshal([]byte(`{"a":[1,2,{"b":null}],"c":"d","e":1e3}`), &generic)
	fmt.Printf("%v\n", generic)
	var bad Item
	fmt.Println("error:", json.Unmarshal([]byte(`{"name": 5}`), &bad))
}
