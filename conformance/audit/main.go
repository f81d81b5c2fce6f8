// Command audit checks a running Dasan portal's audit log over its public API with an
// independent implementation: Go's golang.org/x/mod/sumdb/tlog and sumdb/note.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off go run ./conformance/audit URL
//
// Every archived checkpoint must open with the published key; every leaf of the newest
// checkpoint must have a valid inclusion proof; consecutive checkpoints must be consistent.
// Deliberately tampered proofs and checkpoints must be rejected.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var base string
var failures, passes int

func check(ok bool, format string, args ...interface{}) {
	if ok {
		passes++
		return
	}
	failures++
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
}

func get(path string) []byte {
	resp, err := http.Get(base + path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "GET %s: %v\n", path, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		fmt.Fprintf(os.Stderr, "GET %s: HTTP %d: %s\n", path, resp.StatusCode, body)
		os.Exit(1)
	}
	return body
}

func hashes(list []string) []tlog.Hash {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			fmt.Fprintf(os.Stderr, "bad hash %q\n", s)
			os.Exit(1)
		}
		copy(out[i][:], b)
	}
	return out
}

type head struct {
	size int64
	root tlog.Hash
	text string
}

// open verifies a signed checkpoint and parses its body (origin, size, root).
func open(text string, verifiers note.Verifiers, origin string) (head, error) {
	n, err := note.Open([]byte(text), verifiers)
	if err != nil {
		return head{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != origin {
		return head{}, fmt.Errorf("unexpected checkpoint body %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return head{}, err
	}
	hs := hashes([]string{lines[2]})
	return head{size: size, root: hs[0], text: text}, nil
}

func flip(h []tlog.Hash, i int) []tlog.Hash {
	out := append([]tlog.Hash(nil), h...)
	out[i][0] ^= 1
	return out
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: audit URL")
		os.Exit(2)
	}
	base = strings.TrimRight(os.Args[1], "/")

	vkey := strings.TrimSpace(string(get("/api/v1/audit/key")))
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fmt.Fprintf(os.Stderr, "the published key %q: %v\n", vkey, err)
		os.Exit(1)
	}
	verifiers := note.VerifierList(verifier)
	origin := verifier.Name()

	var archive struct {
		Checkpoints []struct {
			Size int64  `json:"size"`
			Root string `json:"root"`
			Note string `json:"note"`
		} `json:"checkpoints"`
	}
	if err := json.Unmarshal(get("/api/v1/audit/checkpoints?limit=1000"), &archive); err != nil {
		fmt.Fprintln(os.Stderr, "archive:", err)
		os.Exit(1)
	}
	check(len(archive.Checkpoints) > 0, "the archive is empty")
	var heads []head
	for _, c := range archive.Checkpoints {
		h, err := open(c.Note, verifiers, origin)
		check(err == nil, "checkpoint %d does not open: %v", c.Size, err)
		if err == nil {
			check(h.size == c.Size && h.root == hashes([]string{c.Root})[0], "checkpoint %d: note and archive disagree", c.Size)
			heads = append(heads, h)
		}
	}
	latest, err := open(string(get("/api/v1/audit/checkpoint")), verifiers, origin)
	check(err == nil, "the newest checkpoint does not open: %v", err)

	// Every leaf of the newest checkpoint.
	type proofBody struct {
		LeafIndex int64    `json:"leaf_index"`
		TreeSize  int64    `json:"tree_size"`
		LeafHash  string   `json:"leaf_hash"`
		Hashes    []string `json:"hashes"`
	}
	for i := int64(0); i < latest.size; i++ {
		var p proofBody
		if err := json.Unmarshal(get(fmt.Sprintf("/api/v1/audit/proof/leaf?index=%d&size=%d", i, latest.size)), &p); err != nil {
			check(false, "leaf %d: %v", i, err)
			continue
		}
		proof := tlog.RecordProof(hashes(p.Hashes))
		leaf := hashes([]string{p.LeafHash})[0]
		check(p.LeafIndex == i && p.TreeSize == latest.size, "leaf %d: wrong indexes in the answer", i)
		check(tlog.CheckRecord(proof, latest.size, latest.root, i, leaf) == nil, "leaf %d: inclusion proof rejected", i)
		if len(proof) > 0 {
			check(tlog.CheckRecord(flip(proof, 0), latest.size, latest.root, i, leaf) != nil, "leaf %d: a tampered proof was accepted", i)
		}
		bad := leaf
		bad[31] ^= 1
		check(tlog.CheckRecord(proof, latest.size, latest.root, i, bad) != nil, "leaf %d: a tampered leaf hash was accepted", i)
	}

	// Consecutive checkpoints are consistent.
	for k := 1; k < len(heads); k++ {
		old, cur := heads[k-1], heads[k]
		var c struct {
			Hashes []string `json:"hashes"`
		}
		if err := json.Unmarshal(get(fmt.Sprintf("/api/v1/audit/proof/consistency?from=%d&to=%d", old.size, cur.size)), &c); err != nil {
			check(false, "consistency %d→%d: %v", old.size, cur.size, err)
			continue
		}
		proof := tlog.TreeProof(hashes(c.Hashes))
		if old.size == 0 {
			continue // every tree extends the empty one; tlog has no proof form for it
		}
		check(tlog.CheckTree(proof, cur.size, cur.root, old.size, old.root) == nil, "consistency %d→%d rejected", old.size, cur.size)
		if len(proof) > 0 {
			check(tlog.CheckTree(flip(proof, 0), cur.size, cur.root, old.size, old.root) != nil, "consistency %d→%d: a tampered proof was accepted", old.size, cur.size)
		}
	}

	// A tampered checkpoint must not open.
	tampered := strings.Replace(latest.text, "\n"+strconv.FormatInt(latest.size, 10)+"\n", "\n"+strconv.FormatInt(latest.size+1, 10)+"\n", 1)
	_, err = note.Open([]byte(tampered), verifiers)
	check(err != nil, "a checkpoint with a changed size still opened")

	fmt.Printf("conformance/audit: %d checks passed, %d failed (%d checkpoints, %d leaves)\n", passes, failures, len(heads), latest.size)
	if failures > 0 {
		os.Exit(1)
	}
}
