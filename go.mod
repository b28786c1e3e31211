module github.com/peerproduction/ppl

go 1.26.8
