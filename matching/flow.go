package matching

// bgraph is a bipartite graph for a maximum-weight b-matching: each left
// node (a need) takes at most one edge, each right node (a target) at most
// cap edges, and the total weight of the edges taken is maximised. Edges
// are stored per left node (compressed rows); every weight is positive.
type bgraph struct {
	nLeft, nRight int
	start         []int32 // edges of left u are start[u]..start[u+1]
	to            []int32 // right node of each edge
	weight        []int64 // weight of each edge, > 0
	cap           []int32 // capacity of each right node, > 0
}

// Assignment states of a left node besides an edge index.
const (
	unassigned int32 = -2 // not yet processed
	exited     int32 = -1 // left unmatched
)

// solve finds a maximum-weight b-matching exactly and returns, for each left
// node, the index of its edge or −1 when it stays unmatched.
//
// It is min-cost flow by successive shortest paths, organised like the
// Hungarian method: left nodes enter one at a time (in the given order),
// each with an "exit" to stay unmatched, and each entry augments along a
// shortest path in the residual graph, found by Dijkstra on reduced costs.
// Edge costs are wmax(u) − w(u,e) ≥ 0 and the exit costs wmax(u), so costs
// start non-negative and potentials start at zero. After every entry the
// flow is a min-cost flow of the entered nodes (no negative residual cycle,
// witnessed by the potentials), so the final flow is optimal; certify checks
// that witness. Dijkstra stops as soon as it reaches the sink, and only the
// nodes it settled are reset and re-potentialled (π(v) += d(v) − D, which
// keeps every reduced cost non-negative), so an entry that finds a free
// target nearby costs little however large the graph. Worst case
// O(L · E log V); ties go to the lower node index, so results are
// deterministic.
func (g *bgraph) solve(order []int32) []int32 {
	s := newSolver(g)
	for _, u := range order {
		s.enter(u)
	}
	return s.assign
}

// solver is the state of one solve.
type solver struct {
	g       *bgraph
	sink    int32
	cost    []int64 // per edge
	exit    []int64 // per left node
	pi      []int64 // potential per node: left, then right, then the sink
	assign  []int32 // per left node: edge, exited or unassigned
	holders [][]int32
	dist    []int64
	parent  []int32
	parentE []int32
	seen    []uint32 // dist and parent are valid when seen == round
	done    []uint32 // settled when done == round
	round   uint32
	settled []int32
	heap    nodeHeap
}

func newSolver(g *bgraph) *solver {
	nodes := g.nLeft + g.nRight + 1
	s := &solver{g: g, sink: int32(nodes - 1), cost: make([]int64, len(g.to)), exit: make([]int64, g.nLeft),
		pi: make([]int64, nodes), assign: make([]int32, g.nLeft), holders: make([][]int32, g.nRight),
		dist: make([]int64, nodes), parent: make([]int32, nodes), parentE: make([]int32, nodes),
		seen: make([]uint32, nodes), done: make([]uint32, nodes)}
	for u := 0; u < g.nLeft; u++ {
		wmax := int64(0)
		for e := g.start[u]; e < g.start[u+1]; e++ {
			wmax = max(wmax, g.weight[e])
		}
		for e := g.start[u]; e < g.start[u+1]; e++ {
			s.cost[e] = wmax - g.weight[e]
		}
		s.exit[u] = wmax
		s.assign[u] = unassigned
	}
	return s
}

// relax offers node v the distance d via parent p and edge pe.
func (s *solver) relax(v int32, d int64, p, pe int32) {
	if s.done[v] == s.round || (s.seen[v] == s.round && d >= s.dist[v]) {
		return
	}
	s.seen[v], s.dist[v], s.parent[v], s.parentE[v] = s.round, d, p, pe
	s.heap.push(heapItem{d, v})
}

// enter adds left node u and augments along a shortest residual path.
func (s *solver) enter(u int32) {
	g := s.g
	nl := int32(g.nLeft)
	s.round++
	s.settled = s.settled[:0]
	s.heap = s.heap[:0]
	s.relax(u, 0, -1, -1)
	var final int64
	for len(s.heap) > 0 {
		it := s.heap.pop()
		v, d := it.v, it.d
		if s.done[v] == s.round || d > s.dist[v] {
			continue
		}
		s.done[v] = s.round
		if v == s.sink {
			final = d
			break
		}
		s.settled = append(s.settled, v)
		if v < nl {
			for e := g.start[v]; e < g.start[v+1]; e++ {
				if s.assign[v] == e {
					continue
				}
				w := nl + g.to[e]
				s.relax(w, d+s.cost[e]+s.pi[v]-s.pi[w], v, e)
			}
			if s.assign[v] != exited {
				s.relax(s.sink, d+s.exit[v]+s.pi[v]-s.pi[s.sink], v, exited)
			}
			continue
		}
		r := v - nl
		if int32(len(s.holders[r])) < g.cap[r] {
			s.relax(s.sink, d+s.pi[v]-s.pi[s.sink], v, -1)
		}
		for _, h := range s.holders[r] {
			e := s.assign[h]
			s.relax(h, d-s.cost[e]+s.pi[v]-s.pi[h], v, e)
		}
	}
	for _, v := range s.settled {
		s.pi[v] += s.dist[v] - final
	}
	s.augment(u)
}

// augment flips the path that Dijkstra found, from the sink back to u.
func (s *solver) augment(u int32) {
	nl := int32(s.g.nLeft)
	v := s.parent[s.sink]
	if v < nl { // the path ends by leaving need v unmatched
		s.leave(v)
		s.assign[v] = exited
		if v == u {
			return
		}
		v = s.parent[v]
	}
	for { // v is a target; its parent need moves onto it
		h, e := s.parent[v], s.parentE[v]
		s.leave(h)
		s.assign[h] = e
		s.holders[v-nl] = append(s.holders[v-nl], h)
		if h == u {
			return
		}
		v = s.parent[h]
	}
}

// leave takes need h off the target it holds, if any.
func (s *solver) leave(h int32) {
	e := s.assign[h]
	if e < 0 {
		return
	}
	hs := s.holders[s.g.to[e]]
	for i, x := range hs {
		if x == h {
			hs[i] = hs[len(hs)-1]
			s.holders[s.g.to[e]] = hs[:len(hs)-1]
			return
		}
	}
}

// certify reports whether the potentials prove the current flow optimal:
// every residual arc, forward or backward, has a non-negative reduced cost
// (so the residual graph has no negative cycle) and no capacity is exceeded.
// Tests call it after solve; it is an independent proof of optimality.
func (s *solver) certify() bool {
	g, nl := s.g, int32(s.g.nLeft)
	for u := int32(0); u < nl; u++ {
		a := s.assign[u]
		for e := g.start[u]; e < g.start[u+1]; e++ {
			w := nl + g.to[e]
			rc := s.cost[e] + s.pi[u] - s.pi[w]
			if (a == e && rc != 0) || (a != e && rc < 0) {
				return false
			}
		}
		// The exit arc is residual forward while u holds a target and
		// backward (rejoining) once u has exited.
		if rc := s.exit[u] + s.pi[u] - s.pi[s.sink]; (a != exited && rc < 0) || (a == exited && rc > 0) {
			return false
		}
	}
	for r := 0; r < g.nRight; r++ {
		load, rc := int32(len(s.holders[r])), s.pi[int32(r)+nl]-s.pi[s.sink]
		if load > g.cap[r] || (load < g.cap[r] && rc < 0) || (load > 0 && rc > 0) {
			return false
		}
	}
	return true
}

// heapItem is a node with its tentative distance.
type heapItem struct {
	d int64
	v int32
}

// nodeHeap is a binary min-heap ordered by distance, then node index, so
// that equal distances pop in a fixed order.
type nodeHeap []heapItem

func (h nodeHeap) less(i, j int) bool {
	return h[i].d < h[j].d || (h[i].d == h[j].d && h[i].v < h[j].v)
}

func (h *nodeHeap) push(x heapItem) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if !a.less(i, p) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *nodeHeap) pop() heapItem {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(a) && a.less(l, small) {
			small = l
		}
		if l+1 < len(a) && a.less(l+1, small) {
			small = l + 1
		}
		if small == i {
			break
		}
		a[i], a[small] = a[small], a[i]
		i = small
	}
	*h = a
	return top
}
