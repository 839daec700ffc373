package matching

import (
	"math/rand/v2"
	"testing"
)

// randomGraph builds a small random bipartite graph with positive weights,
// many of them equal so that ties are exercised.
func randomGraph(rng *rand.Rand, maxLeft, maxRight, maxCap int) *bgraph {
	g := &bgraph{nLeft: 1 + rng.IntN(maxLeft), nRight: 1 + rng.IntN(maxRight), start: []int32{0}}
	for range g.nRight {
		g.cap = append(g.cap, int32(1+rng.IntN(maxCap)))
	}
	for range g.nLeft {
		for r := range g.nRight {
			if rng.IntN(3) > 0 {
				g.to = append(g.to, int32(r))
				g.weight = append(g.weight, int64(1+rng.IntN(6)))
			}
		}
		g.start = append(g.start, int32(len(g.to)))
	}
	return g
}

// bruteForce returns the maximum total weight by trying every choice of
// edge (or none) for every left node.
func bruteForce(g *bgraph) int64 {
	load := make([]int32, g.nRight)
	var best int64
	var rec func(u int, total int64)
	rec = func(u int, total int64) {
		if u == g.nLeft {
			best = max(best, total)
			return
		}
		rec(u+1, total)
		for e := g.start[u]; e < g.start[u+1]; e++ {
			if r := g.to[e]; load[r] < g.cap[r] {
				load[r]++
				rec(u+1, total+g.weight[e])
				load[r]--
			}
		}
	}
	rec(0, 0)
	return best
}

func solveTotal(t *testing.T, g *bgraph, order []int32) int64 {
	t.Helper()
	s := newSolver(g)
	for _, u := range order {
		s.enter(u)
	}
	if !s.certify() {
		t.Fatalf("potentials do not certify optimality")
	}
	load := make([]int32, g.nRight)
	var total int64
	for u, e := range s.assign {
		if e == unassigned {
			t.Fatalf("left %d never entered", u)
		}
		if e >= 0 {
			if e < g.start[u] || e >= g.start[u+1] {
				t.Fatalf("left %d got edge %d of another node", u, e)
			}
			load[g.to[e]]++
			total += g.weight[e]
		}
	}
	for r, l := range load {
		if l > g.cap[r] {
			t.Fatalf("right %d over capacity: %d > %d", r, l, g.cap[r])
		}
	}
	return total
}

// TestSolveMatchesBruteForce compares the solver with exhaustive search on
// hundreds of random graphs, in two entry orders.
func TestSolveMatchesBruteForce(t *testing.T) {
	for seed := range uint64(600) {
		rng := rand.New(rand.NewPCG(seed, 7))
		g := randomGraph(rng, 7, 4, 3)
		want := bruteForce(g)
		fwd := make([]int32, g.nLeft)
		rev := make([]int32, g.nLeft)
		for i := range fwd {
			fwd[i], rev[i] = int32(i), int32(g.nLeft-1-i)
		}
		if got := solveTotal(t, g, fwd); got != want {
			t.Fatalf("seed %d: solver %d, brute force %d", seed, got, want)
		}
		if got := solveTotal(t, g, rev); got != want {
			t.Fatalf("seed %d reversed: solver %d, brute force %d", seed, got, want)
		}
	}
}

// TestSolveLargerCertified checks bigger graphs, beyond brute force, by the
// solver's own dual certificate.
func TestSolveLargerCertified(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 11))
		g := randomGraph(rng, 200, 40, 4)
		order := make([]int32, g.nLeft)
		for i := range order {
			order[i] = int32(i)
		}
		solveTotal(t, g, order)
	}
}

func TestNodeHeapOrder(t *testing.T) {
	var h nodeHeap
	for _, it := range []heapItem{{5, 1}, {3, 9}, {3, 2}, {7, 0}, {1, 4}} {
		h.push(it)
	}
	want := []heapItem{{1, 4}, {3, 2}, {3, 9}, {5, 1}, {7, 0}}
	for _, w := range want {
		if got := h.pop(); got != w {
			t.Fatalf("pop = %v, want %v", got, w)
		}
	}
}
