// Command tlog checks transparency-log data produced by Dasan's Rust crate dasan-tlog with an
// independent implementation: Go's golang.org/x/mod/sumdb/tlog and sumdb/note.
//
// Build offline with Debian's golang-go and golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off go run ./conformance/tlog DATA.json
//
// It exits non-zero if any check fails, including if a deliberately tampered proof, checkpoint
// or signature is accepted.
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type signedCheckpoint struct {
	Size int64     `json:"size"`
	Root tlog.Hash `json:"root"`
	Note string    `json:"note"`
}

type inclusionProof struct {
	LeafIndex int64       `json:"leaf_index"`
	TreeSize  int64       `json:"tree_size"`
	Hashes    []tlog.Hash `json:"hashes"`
}

type consistencyProof struct {
	OldSize int64       `json:"old_size"`
	NewSize int64       `json:"new_size"`
	Hashes  []tlog.Hash `json:"hashes"`
}

type data struct {
	Origin              string             `json:"origin"`
	Vkey                string             `json:"vkey"`
	Skey                string             `json:"test_only_skey"`
	Entries             []string           `json:"entries"`
	StoredHashes        []tlog.Hash        `json:"stored_hashes"`
	Checkpoints         []signedCheckpoint `json:"checkpoints"`
	GoSumCheckpoint     signedCheckpoint   `json:"go_sum_checkpoint"`
	ExtensionCheckpoint signedCheckpoint   `json:"extension_checkpoint"`
	InclusionProofs     []inclusionProof   `json:"inclusion_proofs"`
	ConsistencyProofs   []consistencyProof `json:"consistency_proofs"`
	TlogProofs          []string           `json:"tlog_proofs"`
}

// hashStorage serves stored hashes by stored hash index, like the test storage in tlog's tests.
type hashStorage []tlog.Hash

func (s hashStorage) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s)) {
			return nil, fmt.Errorf("stored hash %d not present", x)
		}
		out[i] = s[x]
	}
	return out, nil
}

var failures, passes int

func check(ok bool, format string, args ...interface{}) {
	if ok {
		passes++
		return
	}
	failures++
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
}

// mustReject records a pass when err is non-nil: the tampered input was rejected.
func mustReject(err error, format string, args ...interface{}) {
	check(err != nil, "accepted tampered input: "+format, args...)
}

// parseCheckpoint parses a C2SP tlog-checkpoint body strictly (Go's tlog.ParseTree only knows
// the "go.sum database tree" origin).
func parseCheckpoint(text string) (origin string, size int64, root tlog.Hash, err error) {
	if !strings.HasSuffix(text, "\n") {
		return "", 0, root, errors.New("no final newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return "", 0, root, errors.New("fewer than 3 lines")
	}
	for i, l := range lines {
		if l == "" {
			return "", 0, root, fmt.Errorf("empty line %d", i+1)
		}
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, root, fmt.Errorf("bad size line %q", lines[1])
	}
	root, err = tlog.ParseHash(lines[2])
	if err != nil {
		return "", 0, root, err
	}
	return lines[0], size, root, nil
}

func emptyRoot() tlog.Hash { return tlog.Hash(sha256.Sum256(nil)) }

// treeHash is tlog.TreeHash, except for the empty tree, where RFC 9162 defines SHA-256("")
// while tlog returns all zeros.
func treeHash(n int64, r tlog.HashReader) (tlog.Hash, error) {
	if n == 0 {
		return emptyRoot(), nil
	}
	return tlog.TreeHash(n, r)
}

func flip(h tlog.Hash, bit int) tlog.Hash {
	h[(bit/8)%32] ^= 1 << uint(bit%8)
	return h
}

// openCheckpoint opens a signed checkpoint with note.Open and checks the body against the tree.
func openCheckpoint(label string, msg string, verifiers note.Verifiers, wantOrigin string, want signedCheckpoint, storage hashStorage, keyName string, keyHash uint32) {
	n, err := note.Open([]byte(msg), verifiers)
	if err != nil {
		check(false, "%s: note.Open: %v", label, err)
		return
	}
	check(len(n.Sigs) == 1 && n.Sigs[0].Name == keyName && n.Sigs[0].Hash == keyHash && len(n.UnverifiedSigs) == 0,
		"%s: unexpected signatures %+v / %+v", label, n.Sigs, n.UnverifiedSigs)
	origin, size, root, err := parseCheckpoint(n.Text)
	if err != nil {
		check(false, "%s: checkpoint body: %v", label, err)
		return
	}
	check(origin == wantOrigin, "%s: origin %q, want %q", label, origin, wantOrigin)
	check(size == want.Size && root == want.Root, "%s: body says %d %v, JSON says %d %v", label, size, root, want.Size, want.Root)
	th, err := treeHash(size, storage)
	check(err == nil && th == root, "%s: root %v, tlog.TreeHash(%d) = %v (%v)", label, root, size, th, err)
}

func run(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var d data
	if err := json.Unmarshal(raw, &d); err != nil {
		return fmt.Errorf("parse %s: %v", path, err)
	}
	verifier, err := note.NewVerifier(d.Vkey)
	if err != nil {
		return fmt.Errorf("note.NewVerifier(%q): %v", d.Vkey, err)
	}
	verifiers := note.VerifierList(verifier)
	signer, err := note.NewSigner(d.Skey)
	if err != nil {
		return fmt.Errorf("note.NewSigner: %v", err)
	}
	check(signer.Name() == verifier.Name() && signer.KeyHash() == verifier.KeyHash(), "signer and verifier keys differ")

	// 1. Records and stored hashes: Go recomputes every stored hash with tlog.StoredHashes.
	entries := make([][]byte, len(d.Entries))
	for i, e := range d.Entries {
		if entries[i], err = base64.StdEncoding.DecodeString(e); err != nil {
			return fmt.Errorf("entry %d: %v", i, err)
		}
	}
	N := int64(len(entries))
	var goStorage hashStorage
	for i, e := range entries {
		hs, err := tlog.StoredHashes(int64(i), e, goStorage)
		if err != nil {
			return fmt.Errorf("tlog.StoredHashes(%d): %v", i, err)
		}
		goStorage = append(goStorage, hs...)
	}
	ours := hashStorage(d.StoredHashes)
	check(int64(len(ours)) == tlog.StoredHashCount(N), "have %d stored hashes, tlog.StoredHashCount(%d) = %d", len(ours), N, tlog.StoredHashCount(N))
	check(len(ours) == len(goStorage), "stored hash count %d, Go computes %d", len(ours), len(goStorage))
	mismatch := 0
	for i := range goStorage {
		if i < len(ours) && ours[i] != goStorage[i] {
			if mismatch == 0 {
				l, n := tlog.SplitStoredHashIndex(int64(i))
				check(false, "stored hash %d (level %d, n %d) = %v, Go computes %v", i, l, n, ours[i], goStorage[i])
			}
			mismatch++
		}
	}
	check(mismatch == 0, "%d stored hashes differ from Go's", mismatch)
	for i, e := range entries {
		check(ours[tlog.StoredHashIndex(0, int64(i))] == tlog.RecordHash(e), "leaf hash of record %d", i)
	}

	// 2. Signed checkpoints: note.Open, body, root = tlog.TreeHash over our stored hashes, and
	// Go's note.Sign of the same text gives the same bytes (Ed25519 is deterministic).
	for _, c := range d.Checkpoints {
		label := fmt.Sprintf("checkpoint %d", c.Size)
		openCheckpoint(label, c.Note, verifiers, d.Origin, c, ours, verifier.Name(), verifier.KeyHash())
		if n, err := note.Open([]byte(c.Note), verifiers); err == nil {
			again, err := note.Sign(&note.Note{Text: n.Text}, signer)
			check(err == nil && string(again) == c.Note, "%s: Go signs it differently:\n%s\nvs\n%s", label, again, c.Note)
		}
	}
	openCheckpoint("extension checkpoint", d.ExtensionCheckpoint.Note, verifiers, d.Origin, d.ExtensionCheckpoint, ours, verifier.Name(), verifier.KeyHash())
	if n, err := note.Open([]byte(d.GoSumCheckpoint.Note), verifiers); err != nil {
		check(false, "go.sum checkpoint: note.Open: %v", err)
	} else {
		tree, err := tlog.ParseTree([]byte(n.Text))
		check(err == nil && tree.N == d.GoSumCheckpoint.Size && tree.Hash == d.GoSumCheckpoint.Root,
			"tlog.ParseTree of our body: %+v %v", tree, err)
		th, err := tlog.TreeHash(tree.N, ours)
		check(err == nil && th == tree.Hash, "go.sum checkpoint root vs tlog.TreeHash")
	}

	// 3. Inclusion proofs: tlog.CheckRecord, and identical to tlog.ProveRecord.
	for _, p := range d.InclusionProofs {
		label := fmt.Sprintf("inclusion proof %d in %d", p.LeafIndex, p.TreeSize)
		th, err := tlog.TreeHash(p.TreeSize, ours)
		if err != nil {
			check(false, "%s: TreeHash: %v", label, err)
			continue
		}
		leaf := tlog.RecordHash(entries[p.LeafIndex])
		err = tlog.CheckRecord(tlog.RecordProof(p.Hashes), p.TreeSize, th, p.LeafIndex, leaf)
		check(err == nil, "%s: tlog.CheckRecord: %v", label, err)
		gp, err := tlog.ProveRecord(p.TreeSize, p.LeafIndex, goStorage)
		check(err == nil && fmt.Sprint(gp) == fmt.Sprint(tlog.RecordProof(p.Hashes)), "%s: differs from tlog.ProveRecord", label)
		// Tampering: every single hash with one bit flipped, a wrong leaf, a wrong index.
		for i := range p.Hashes {
			bad := append(tlog.RecordProof(nil), p.Hashes...)
			bad[i] = flip(bad[i], i*7)
			mustReject(tlog.CheckRecord(bad, p.TreeSize, th, p.LeafIndex, leaf), "%s with hash %d flipped", label, i)
		}
		mustReject(tlog.CheckRecord(tlog.RecordProof(p.Hashes), p.TreeSize, th, p.LeafIndex, flip(leaf, 3)), "%s with a wrong leaf", label)
		mustReject(tlog.CheckRecord(tlog.RecordProof(p.Hashes), p.TreeSize, flip(th, 100), p.LeafIndex, leaf), "%s with a wrong root", label)
		if p.LeafIndex+1 < p.TreeSize {
			mustReject(tlog.CheckRecord(tlog.RecordProof(p.Hashes), p.TreeSize, th, p.LeafIndex+1, leaf), "%s at the next index", label)
		}
	}

	// 4. Consistency proofs: tlog.CheckTree, and identical to tlog.ProveTree.
	for _, p := range d.ConsistencyProofs {
		label := fmt.Sprintf("consistency proof %d -> %d", p.OldSize, p.NewSize)
		th, err1 := tlog.TreeHash(p.NewSize, ours)
		oh, err2 := tlog.TreeHash(p.OldSize, ours)
		if err1 != nil || err2 != nil {
			check(false, "%s: TreeHash: %v %v", label, err1, err2)
			continue
		}
		err := tlog.CheckTree(tlog.TreeProof(p.Hashes), p.NewSize, th, p.OldSize, oh)
		check(err == nil, "%s: tlog.CheckTree: %v", label, err)
		gp, err := tlog.ProveTree(p.NewSize, p.OldSize, goStorage)
		check(err == nil && fmt.Sprint(gp) == fmt.Sprint(tlog.TreeProof(p.Hashes)), "%s: differs from tlog.ProveTree", label)
		for i := range p.Hashes {
			bad := append(tlog.TreeProof(nil), p.Hashes...)
			bad[i] = flip(bad[i], i*5+1)
			mustReject(tlog.CheckTree(bad, p.NewSize, th, p.OldSize, oh), "%s with hash %d flipped", label, i)
		}
		mustReject(tlog.CheckTree(tlog.TreeProof(p.Hashes), p.NewSize, flip(th, 9), p.OldSize, oh), "%s with a wrong new root", label)
		if p.OldSize < p.NewSize {
			mustReject(tlog.CheckTree(tlog.TreeProof(p.Hashes), p.NewSize, th, p.OldSize, flip(oh, 9)), "%s with a wrong old root", label)
		}
	}

	// 5. C2SP tlog-proofs: parsed here, checkpoint opened with note.Open, proof with CheckRecord.
	for i, text := range d.TlogProofs {
		if err := checkTlogProof(text, entries, verifiers, d.Origin); err != nil {
			check(false, "tlog-proof %d: %v", i, err)
		} else {
			passes++
		}
		// Tampered: flip a bit in the first proof hash line, if any.
		lines := strings.Split(text, "\n")
		for j, l := range lines {
			if h, err := tlog.ParseHash(l); err == nil && len(l) == 44 {
				lines[j] = flip(h, 17).String()
				mustReject(checkTlogProof(strings.Join(lines, "\n"), entries, verifiers, d.Origin), "tlog-proof %d with hash line %d flipped", i, j)
				break
			}
		}
	}

	// 6. Tampered checkpoints and signatures must be rejected by note.Open.
	for _, c := range d.Checkpoints {
		label := fmt.Sprintf("checkpoint %d", c.Size)
		n, err := note.Open([]byte(c.Note), verifiers)
		if err != nil {
			continue // already reported
		}
		sigLines := c.Note[len(n.Text)+1:]
		// A different root, same signature.
		forgedText := strings.Replace(n.Text, c.Root.String(), flip(c.Root, 42).String(), 1)
		_, err = note.Open([]byte(forgedText+"\n"+sigLines), verifiers)
		var invalid *note.InvalidSignatureError
		check(errors.As(err, &invalid), "%s: changed root not rejected as an invalid signature (err %v)", label, err)
		// A different size, same signature.
		lines := strings.SplitN(n.Text, "\n", 3)
		forgedText = lines[0] + "\n" + strconv.FormatInt(c.Size+1, 10) + "\n" + lines[2]
		_, err = note.Open([]byte(forgedText+"\n"+sigLines), verifiers)
		check(errors.As(err, &invalid), "%s: changed size not rejected (err %v)", label, err)
		// A flipped bit in the signature itself.
		parts := strings.SplitN(strings.TrimSuffix(sigLines, "\n"), " ", 3)
		sig, err := base64.StdEncoding.DecodeString(parts[2])
		if err != nil || len(sig) != 68 {
			check(false, "%s: signature is not 4+64 bytes", label)
			continue
		}
		sig[4+int(c.Size)%64] ^= 0x10
		forged := n.Text + "\n" + parts[0] + " " + parts[1] + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
		_, err = note.Open([]byte(forged), verifiers)
		check(errors.As(err, &invalid), "%s: flipped signature bit not rejected (err %v)", label, err)
		// The key ID must match too: another key ID is simply an unknown key.
		binary.BigEndian.PutUint32(sig[:4], verifier.KeyHash()^1)
		forged = n.Text + "\n" + parts[0] + " " + parts[1] + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
		_, err = note.Open([]byte(forged), verifiers)
		var unverified *note.UnverifiedNoteError
		check(errors.As(err, &unverified), "%s: signature under another key ID not rejected (err %v)", label, err)
	}
	// A verifier for another key does not accept our notes.
	_, otherVkey, err := note.GenerateKey(rand.Reader, d.Origin)
	check(err == nil, "note.GenerateKey: %v", err)
	if other, err := note.NewVerifier(otherVkey); err == nil && len(d.Checkpoints) > 0 {
		_, err = note.Open([]byte(d.Checkpoints[len(d.Checkpoints)-1].Note), note.VerifierList(other))
		mustReject(err, "checkpoint opened with another key")
	} else {
		check(false, "note.NewVerifier(other): %v", err)
	}

	// 7. A tampered record changes the root that the signed checkpoints commit to.
	if N > 10 {
		tampered := make([][]byte, len(entries))
		copy(tampered, entries)
		tampered[N/2] = append(append([]byte(nil), entries[N/2]...), '!')
		var ts hashStorage
		for i, e := range tampered {
			hs, _ := tlog.StoredHashes(int64(i), e, ts)
			ts = append(ts, hs...)
		}
		last := d.Checkpoints[len(d.Checkpoints)-1]
		th, err := tlog.TreeHash(last.Size, ts)
		check(err == nil && th != last.Root, "tampered record %d still matches checkpoint %d", N/2, last.Size)
		if last.Size > N/2+1 {
			oh, _ := tlog.TreeHash(N/2+1, ts)
			p, _ := tlog.ProveTree(last.Size, N/2+1, ts)
			mustReject(tlog.CheckTree(p, last.Size, last.Root, N/2+1, oh), "consistency from a tampered tree to the signed checkpoint")
		}
	}
	return nil
}

// checkTlogProof verifies a c2sp.org/tlog-proof@v1 text.
func checkTlogProof(text string, entries [][]byte, verifiers note.Verifiers, origin string) error {
	sep := strings.Index(text, "\n\n")
	if sep < 0 {
		return errors.New("no blank line")
	}
	head, cpNote := strings.Split(text[:sep], "\n"), text[sep+2:]
	if len(head) < 2 || head[0] != "c2sp.org/tlog-proof@v1" {
		return errors.New("bad header")
	}
	rest := head[1:]
	if strings.HasPrefix(rest[0], "extra ") {
		if _, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(rest[0], "extra ")); err != nil {
			return fmt.Errorf("extra: %v", err)
		}
		rest = rest[1:]
	}
	if len(rest) == 0 || !strings.HasPrefix(rest[0], "index ") {
		return errors.New("no index line")
	}
	idxText := strings.TrimPrefix(rest[0], "index ")
	index, err := strconv.ParseInt(idxText, 10, 64)
	if err != nil || index < 0 || strconv.FormatInt(index, 10) != idxText || index >= int64(len(entries)) {
		return fmt.Errorf("bad index %q", idxText)
	}
	var proof tlog.RecordProof
	for _, l := range rest[1:] {
		h, err := tlog.ParseHash(l)
		if err != nil {
			return fmt.Errorf("hash line: %v", err)
		}
		proof = append(proof, h)
	}
	n, err := note.Open([]byte(cpNote), verifiers)
	if err != nil {
		return fmt.Errorf("checkpoint: %v", err)
	}
	o, size, root, err := parseCheckpoint(n.Text)
	if err != nil || o != origin {
		return fmt.Errorf("checkpoint body: %v (origin %q)", err, o)
	}
	return tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(entries[index]))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tlog DATA.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	if failures > 0 {
		fmt.Fprintf(os.Stderr, "%d checks FAILED, %d passed\n", failures, passes)
		os.Exit(1)
	}
	if passes == 0 {
		fmt.Fprintln(os.Stderr, "no checks ran")
		os.Exit(1)
	}
	fmt.Printf("ok: %d checks passed against golang.org/x/mod/sumdb/tlog and sumdb/note\n", passes)
}
