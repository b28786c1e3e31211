package bounded

import (
	"sync"
	"testing"
)

func TestBound(t *testing.T) {
	m := New[int, string](3)
	for i := range 3 {
		m.Put(i, "v")
	}
	if _, ok := m.Get(2); !ok {
		t.Fatal("lost an entry below the bound")
	}
	m.Put(3, "w") // full: emptied first
	if _, ok := m.Get(0); ok {
		t.Fatal("not emptied at the bound")
	}
	if v, ok := m.Get(3); !ok || v != "w" {
		t.Fatal("new entry missing")
	}
	m.Reset()
	if _, ok := m.Get(3); ok {
		t.Fatal("Reset kept entries")
	}
}

func TestConcurrent(t *testing.T) {
	m := New[int, int](100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				m.Put(g*1000+i, i)
				if v, ok := m.Get(g*1000 + i); ok && v != i {
					t.Error("wrong value")
				}
			}
		}()
	}
	wg.Wait()
}
