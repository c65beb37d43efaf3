package geo

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"unsafe"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

var inf = math.Inf(1)

// Item is one polygon to index: a grid (or any area) with its key. Callers
// pass items ordered by their code, so that a lower Key means a lower code;
// every tie-break of Index picks the lowest Key.
type Item struct {
	Key  int32
	Geom orb.MultiPolygon // lon/lat, EPSG:4326
}

// MatchKind says how a point was matched.
type MatchKind uint8

// The match kinds of Index.Lookup.
const (
	MatchNone    MatchKind = iota // covered by no item and no item within NearestMeters
	MatchInside                   // in the interior of the item
	MatchEdge                     // on the boundary of the item (shell or hole ring)
	MatchNearest                  // covered by no item; the nearest one within NearestMeters
)

// String is the lower-case name used in the API: none, inside, edge, nearest.
func (k MatchKind) String() string {
	switch k {
	case MatchInside:
		return "inside"
	case MatchEdge:
		return "edge"
	case MatchNearest:
		return "nearest"
	}
	return "none"
}

// Match is the answer of Index.Lookup. It is a plain value: a lookup
// allocates nothing.
type Match struct {
	Key       int32     // the matched item's key; -1 when Kind is MatchNone
	Kind      MatchKind //
	DistanceM float64   // metres to the item for MatchNearest; 0 otherwise
	NearKey   int32     // another item within NearBorderMeters of a covered point, or -1
	NearM     float64   // metres to NearKey (0 when it covers the point too)
	// With IndexOptions.Outer: when Key is -1 and OuterKnown, OuterKey is
	// what Outer.Lookup would return for the point (its Key), read from
	// this index's own cell. When !OuterKnown the caller asks Outer.
	OuterKey   int32
	OuterKnown bool
}

// IndexOptions tunes an Index. Zero values take the defaults; a negative
// distance disables the feature.
type IndexOptions struct {
	// NearBorderMeters: a covered point within this distance of another
	// item reports that item in Match.NearKey. Default 30.
	NearBorderMeters float64
	// NearestMeters: a point covered by no item is matched to the nearest
	// item within this distance. Default 200.
	NearestMeters float64
	// CellsPerItem sizes the raster: about this many cells per item,
	// capped at 1<<24 cells in all. Default 1024.
	CellsPerItem int
	// Outer, when set, is the index a caller consults for a point this one
	// does not match (routing: communities, streets and districts for a
	// point in no grid). A cell that no item of this index answers and
	// that lies wholly within cells of Outer that are direct for one key
	// records that key — or, when Outer has no nearest search, that Outer
	// matches nothing there (key -1: outside every area) — so such a point
	// costs one cell read for both answers (Match.OuterKey). Outer is only
	// read while building.
	Outer *Index
	// Advise, when set, is called with the memory of the built index's
	// large arrays (routing passes hugepages.Advise, which asks for
	// transparent huge pages): an index of 1–64 MB first moves them into
	// one 2 MB-aligned arena and advises that, larger ones advise each
	// array (see Index.advise). The index is only read afterwards.
	Advise func(b []byte)
}

// bytesOf is the memory of s.
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

const (
	cellDirect = 1 << 31       // cell value: the item index in the low bits covers all of the cell
	cellOuter  = 1 << 30       // cell value (without cellDirect): no item answers; the Outer key in the low bits
	cellNone   = 0             // cell value: nothing covers or comes near the cell
	outerNone  = cellOuter - 1 // with cellOuter: no item answers and Outer answers -1
)

type itemIx struct {
	key                    int32
	minX, minY, maxX, maxY float64
	p0, p1                 int32 // polygons [p0, p1) in Index.polys
}

// Index answers which item covers a point. It is built once by NewIndex,
// immutable afterwards and safe for any number of concurrent readers;
// Lookup takes no lock and allocates nothing.
//
// # Rules (the same as PostGIS, so every answer can be checked in SQL)
//
// Cover: a point is covered by an item when PostGIS ST_Covers(geom, point)
// is true — its interior or its boundary, hole rings included (a point on
// the ring of a hole is covered; a point strictly inside a hole is not). The
// test is the PostGIS point-in-polygon winding rule, evaluated with the same
// double-precision operations (see locateRing), so points on or within an
// ulp of an edge are decided as PostGIS decides them. When several items
// cover a point (a shared edge or vertex, or a real overlap) the lowest Key
// wins — in SQL: SELECT code … WHERE ST_Covers(geom, pt) ORDER BY code COLLATE "C"
// LIMIT 1. Kind is MatchEdge when the point is on a ring of the winner.
//
// Near border: for a covered point, the other item with the smallest planar
// distance (ties: lowest Key) is reported in NearKey when its distance in
// metres is at most NearBorderMeters; an item that also covers the point is
// at distance 0.
//
// Nearest: for a point covered by no item, the item with the smallest
// planar distance wins (ties: lowest Key) — in SQL: ORDER BY
// ST_Distance(geom, pt), code LIMIT 1 — and is returned as MatchNearest
// when its distance in metres is at most NearestMeters, else MatchNone.
//
// Planar distance is ST_Distance on geometry(…, 4326): Euclidean in degrees
// to the nearest point of the item, computed with PostGIS's own formula.
// Distance in metres is DistanceMeters (sphere, ST_DistanceSphere) from the
// point to that nearest point (ST_ClosestPoint(geom, pt)).
//
// # Design (measured; see BenchmarkLookup, docs/benchmarks.md and routing/README.md)
//
// A uniform raster over the items' extent (about CellsPerItem cells per
// item, at most 2^24 cells). At build time each cell is classified:
//
//   - direct: covered whole by exactly one item and farther than the
//     near-border distance from every other item — or, with the
//     near-border search disabled, covered whole by several items with no
//     edge touching the cell (nested areas), the lowest key winning
//     everywhere → the answer is the cell itself (one array read);
//   - known: no edge touches the cell and one item covers all of it →
//     only the near-border neighbour is computed, from a per-cell list of
//     the other items' edges that come within the near-border radius of
//     the cell (usually 1–4 edges);
//   - nearest: nothing covers the cell → the per-cell list holds every
//     edge that can be the nearest one, within the nearest radius, of a
//     point of the cell (from the centre's distance to the nearest item
//     plus the cell's half diagonal), so no R-tree search is needed;
//   - generic: an edge may touch the cell → a short candidate list, each
//     item tested exactly with the PostGIS winding rule over its rings'
//     edges bucketed by y, then the near-border (or nearest) answer from
//     the cell's edge list;
//   - split: a generic cell crossed by one piece of boundary that items
//     share (one edge, or two meeting at a vertex in the cell) and by no
//     other edge → the piece and the answer of each of its two sides, so a
//     point whose side is beyond rounding doubt needs no polygon test;
//     points within rounding of the piece are tested as in a generic cell
//     (split.go);
//   - none: no item within the nearest radius of any point of the cell;
//   - outer: none, and (IndexOptions.Outer) the whole cell in one key of
//     the outer index, or in none of its areas → that key (or "outside
//     every area"), from the same read;
//   - far: a known cell some of whose sub-cells (up to 5 × 5) lie farther
//     than the near-border radius from every listed edge → the covering
//     item and a mask of those sub-cells, so a point there is answered
//     from the one read; other points find the cell's list through a
//     small hash table (far.go);
//   - range: a known or far cell whose listed edges lie within four
//     consecutive edge ids → the covering item and that span, so the
//     near-border search reads the edges without the list (ranges.go;
//     small indexes only, where the ids fit one word);
//   - spans: a known or far cell whose listed edges lie in two such spans
//     and whose covering item is its block's item → the two spans, the
//     item read from the block word (ranges.go).
//
// A raster of up to 2^22 cells is stored as 4 × 4-cell blocks: a block
// whose cells all hold the same direct, none or outer word is that word in
// a small block array; the others point at their sixteen words, one cache
// line, and carry a mask of the half-cell squares (8 × 8 per block) that
// one item answers alone — direct cells and far sub-cells — so a point
// there needs no read of the cells (blocks.go). Larger rasters stay flat.
//
// Edge lists are ascending edge ids (item, ring, vertex order, as PostGIS
// visits them), in 16-bit words when every id fits (raster.go), interned,
// with edges that are farther than some other edge from every point of the
// cell dropped. Edges are ranked by squared distance (segDist2, closer).
// Metres come from an equirectangular step with a per-row cosine
// (metersAt), within nanometres of DistanceMeters at the near-border
// radius and 1e-7 m at 200 m, and from the haversine formula with series
// for the tiny angles beyond (shortMeters). Points off the
// raster use an R-tree of item boxes (tidwall/rtree). IndexOptions.Advise
// lets the caller ask for huge pages for the large arrays (in one 2 MB-
// aligned arena for a district-sized index).
type Index struct {
	items  []itemIx
	polys  []polyIx
	rings  []ringIx
	bstart []uint32    // per ring bucket: first entry in bedge
	bedge  []int32     // edge ids of each ring's y buckets
	verts  []orb.Point // every ring's points, closed: edge e is verts[e] → verts[e+1] (ring.go)
	eitem  []int32     // item of each edge id (-1: the gap after a ring)

	nearM, nearestM     float64 // metres; 0 = disabled
	nearDeg, nearestDeg float64 // conservative planar radii

	gx0, gy0, gx1, gy1 float64 // raster extent
	inv                float64 // cells per degree
	nx, ny             int
	nbx                int       // blocks per row (blocks.go)
	blocks             []uint32  // per 4 × 4 block of cells: their common word, or blockMixed | item<<blockItemShift | index of its cells; nil: flat
	blockIdx           uint32    // the mask of a mixed block word's index
	blockItemShift     uint8     // the shift of a mixed block word's item (with bmask)
	bmask              []uint64  // per mixed block: its half-cells answered by the block word's item alone (blocks.go); nil: none
	cells              []uint32  // with blocks, the cells of mixed blocks, 16 words each; else (and while building) all cells, row by row
	rowTrig            []rowTrig // per raster row, for metersAt
	lists              []int32   // cell lists: a header word, then items and/or edge ids (see raster.go); nil when narrow holds them
	narrow             []uint16  // the lists in 16-bit words (narrowLists), or nil
	farTab             []uint64  // far cells' list offsets: (cell+1)<<32 | offset, open addressing (see far.go)
	farBits            uint8     // item bits of a far cell word
	farNX, farNY       uint8     // sub-cells of a far cell
	rangeShift         uint8     // range cells (ranges.go): the item's shift; 0 = none
	rangeEdges         uint32    // range cells: the mask of the first edge id
	spansDelta         uint8     // spans cells (ranges.go): the bits of the second span's offset; 0 = none

	tree rtree.RTreeG[int32]

	identity bool // item i has key i (routing's case): keyOf reads no memory
}

// keyOf is the key of item i.
func (ix *Index) keyOf(i int32) int32 {
	if ix.identity {
		return i
	}
	return ix.items[i].key
}

// Len is the number of items.
func (ix *Index) Len() int { return len(ix.items) }

// Keys returns the keys in index order (ascending).
func (ix *Index) Keys() []int32 {
	out := make([]int32, len(ix.items))
	for i := range ix.items {
		out[i] = ix.items[i].key
	}
	return out
}

// Stats describes the size of an index.
type Stats struct {
	Items, Rings, Edges, Cells         int
	DirectCells, ListCells, OuterCells int
	FarCells                           int  // known cells with far sub-cells (far.go)
	RangeCells                         int  // known and far cells answered from an edge-id span (ranges.go)
	SpansCells                         int  // known and far cells answered from two spans and their block's item (ranges.go)
	NarrowLists                        bool // the lists are in 16-bit words (narrowLists)
	Blocks, UniformBlocks              int  // 4 × 4-cell blocks and those answered from the block array (blocks.go; 0 when flat)
	MaskedBlocks                       int  // mixed blocks some of whose half-cells are answered from the block array (blocks.go)
	SplitCells                         int  // list cells answered from the side of one shared piece of boundary (split.go)
	Bytes                              int  // approximate heap bytes held
}

// listKindOf is the kind of the list at offset v (narrow or wide lists).
func (ix *Index) listKindOf(v uint32) uint32 {
	if ix.narrow != nil {
		return uint32(ix.narrow[v]) >> narrowKind
	}
	return uint32(ix.lists[v]) >> listKind
}

// Stats reports the index size (for benchmarks and logs).
func (ix *Index) Stats() Stats {
	s := Stats{Items: len(ix.items), Rings: len(ix.rings), Cells: ix.nx * ix.ny}
	for _, r := range ix.rings {
		s.Edges += int(r.e1 - r.e0)
	}
	for cc := 0; cc < s.Cells; cc++ {
		c := ix.cell(cc%ix.nx, cc/ix.nx)
		switch {
		case c&cellFar == cellFar:
			s.FarCells++
		case c&cellDirect != 0:
			s.DirectCells++
		case c&cellOuter != 0:
			s.OuterCells++
		case c&cellRange != 0 && ix.rangeShift != 0:
			s.RangeCells++
		case c&cellSpans != 0 && ix.spansDelta != 0:
			s.SpansCells++
		case c != cellNone:
			s.ListCells++
			if ix.listKindOf(c) == kindSplit {
				s.SplitCells++
			}
		}
	}
	s.Blocks = len(ix.blocks)
	s.NarrowLists = ix.narrow != nil
	for _, w := range ix.blocks {
		if w&blockMixed != blockMixed {
			s.UniformBlocks++
		}
	}
	for _, m := range ix.bmask {
		if m != 0 {
			s.MaskedBlocks++
		}
	}
	for _, e := range ix.farTab {
		if e != 0 && uint32(e)&cellRange != 0 && ix.rangeShift != 0 {
			s.RangeCells++ // a far cell whose other points are answered from a span
		}
	}
	s.Bytes = len(ix.items)*56 + len(ix.polys)*8 + len(ix.rings)*72 + len(ix.bstart)*4 + len(ix.bedge)*4 +
		len(ix.verts)*20 + len(ix.blocks)*4 + len(ix.bmask)*8 + len(ix.cells)*4 + len(ix.lists)*4 + len(ix.narrow)*2 + len(ix.rowTrig)*24 + len(ix.items)*80 + len(ix.farTab)*8
	return s
}

// NewIndex builds an index of items. Keys must be distinct; geometries
// should be valid (Validate) — an invalid one is indexed as PostGIS would
// evaluate it, but then overlaps and odd rings are the caller's problem.
// Empty geometries are allowed and never match.
func NewIndex(items []Item, opts IndexOptions) (*Index, error) {
	if opts.NearBorderMeters == 0 {
		opts.NearBorderMeters = 30
	}
	if opts.NearestMeters == 0 {
		opts.NearestMeters = 200
	}
	if opts.CellsPerItem <= 0 {
		opts.CellsPerItem = 1024
	}
	ix := &Index{nearM: max(opts.NearBorderMeters, 0), nearestM: max(opts.NearestMeters, 0)}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return items[order[a]].Key < items[order[b]].Key })
	ext := orb.Bound{Min: orb.Point{inf, inf}, Max: orb.Point{-inf, -inf}}
	for n, oi := range order {
		it := items[oi]
		if n > 0 && items[order[n-1]].Key == it.Key {
			return nil, fmt.Errorf("geo: duplicate key %d", it.Key)
		}
		ii := itemIx{key: it.Key, p0: int32(len(ix.polys)), minX: inf, minY: inf, maxX: -inf, maxY: -inf}
		for _, p := range it.Geom {
			pi := polyIx{r0: int32(len(ix.rings))}
			for _, r := range p {
				for _, pt := range r {
					if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.IsInf(pt[0], 0) || math.IsInf(pt[1], 0) {
						return nil, fmt.Errorf("geo: item %d: non-finite coordinate", it.Key)
					}
				}
				ix.addRing(r, int32(len(ix.items)))
				rr := &ix.rings[len(ix.rings)-1]
				if len(r) > 0 {
					ii.minX, ii.minY = min(ii.minX, rr.minX), min(ii.minY, rr.minY)
					ii.maxX, ii.maxY = max(ii.maxX, rr.maxX), max(ii.maxY, rr.maxY)
				}
			}
			pi.r1 = int32(len(ix.rings))
			if pi.r1 > pi.r0 {
				ix.polys = append(ix.polys, pi)
			}
		}
		ii.p1 = int32(len(ix.polys))
		ix.items = append(ix.items, ii)
		if ii.minX <= ii.maxX {
			ix.tree.Insert([2]float64{ii.minX, ii.minY}, [2]float64{ii.maxX, ii.maxY}, int32(len(ix.items)-1))
			ext = ext.Union(orb.Bound{Min: orb.Point{ii.minX, ii.minY}, Max: orb.Point{ii.maxX, ii.maxY}})
		}
	}
	ix.identity = true
	for i := range ix.items {
		if ix.items[i].key != int32(i) {
			ix.identity = false
			break
		}
	}
	if len(ix.items) >= cellOuter {
		return nil, errors.New("geo: too many items")
	}
	if ext.Min[0] > ext.Max[0] { // nothing to index
		return ix, nil
	}
	maxLat := max(math.Abs(ext.Min[1]), math.Abs(ext.Max[1])) + 0.1
	ix.nearDeg = DegreesFor(ix.nearM, maxLat)
	ix.nearestDeg = DegreesFor(ix.nearestM, maxLat)
	ix.buildRaster(ext, opts.CellsPerItem)
	if len(ix.lists) >= cellOuter {
		return nil, errors.New("geo: index too large")
	}
	ix.markFar(math.Cos(min(maxLat, 89) * math.Pi / 180))
	if opts.Outer != nil {
		ix.markOuter(opts.Outer)
	}
	ix.markSplits()
	ix.packBlocks()
	ix.markRanges()
	ix.narrowLists()
	if opts.Advise != nil {
		ix.advise(opts.Advise)
	}
	return ix, nil
}

// Arena limits (advise): an index whose arrays total between these sizes
// is moved into one 2 MB-aligned allocation first.
const (
	hugePage   = 2 << 20
	minArena   = 1 << 20
	maxArena   = 64 << 20
	arenaAlign = 64 // each array starts on a cache line
)

// advise hands the index's large arrays to advise (huge pages). Only whole
// 2 MB pages of an array can be backed by a huge page, and a district's
// arrays are mostly smaller than one: so an index of 1–64 MB first moves
// them all, hottest first, into one allocation that starts on a 2 MB
// boundary and is a whole number of such pages, and advises that (the
// demo district: 10 MB in five huge pages instead of one). Larger indexes
// advise each array where it is (copying would double their memory for a
// moment, and their arrays are large enough). Every element type here is
// free of pointers, so the arena is a []byte the collector never scans;
// the typed slices into it keep it alive.
func (ix *Index) advise(advise func(b []byte)) {
	// move puts every array into arena, hottest first, and returns the
	// bytes used; with a nil arena it only counts them.
	move := func(arena []byte) int {
		pos := 0
		ix.blocks = moveTo(arena, &pos, ix.blocks)
		ix.bmask = moveTo(arena, &pos, ix.bmask)
		ix.cells = moveTo(arena, &pos, ix.cells)
		ix.lists = moveTo(arena, &pos, ix.lists)
		ix.narrow = moveTo(arena, &pos, ix.narrow)
		ix.verts = moveTo(arena, &pos, ix.verts)
		ix.eitem = moveTo(arena, &pos, ix.eitem)
		ix.rings = moveTo(arena, &pos, ix.rings)
		ix.bstart = moveTo(arena, &pos, ix.bstart)
		ix.bedge = moveTo(arena, &pos, ix.bedge)
		ix.farTab = moveTo(arena, &pos, ix.farTab)
		ix.rowTrig = moveTo(arena, &pos, ix.rowTrig)
		ix.items = moveTo(arena, &pos, ix.items)
		ix.polys = moveTo(arena, &pos, ix.polys)
		return pos
	}
	total := move(nil)
	if total < minArena || total > maxArena {
		for _, b := range [][]byte{bytesOf(ix.blocks), bytesOf(ix.bmask), bytesOf(ix.cells), bytesOf(ix.lists), bytesOf(ix.narrow), bytesOf(ix.verts), bytesOf(ix.bedge), bytesOf(ix.farTab)} {
			advise(b)
		}
		return
	}
	size := (total + hugePage - 1) &^ (hugePage - 1)
	buf := make([]byte, size+hugePage)
	skip := int((hugePage - uintptr(unsafe.Pointer(unsafe.SliceData(buf)))%hugePage) % hugePage)
	arena := buf[skip : skip+size]
	advise(arena) // before the copies: the pages are then faulted in as huge pages where the kernel can
	move(arena)
	advise(arena) // and collapse what was faulted in small
}

// moveTo copies s to arena at *pos (a multiple of arenaAlign) and returns
// the copy, advancing *pos past it; a nil arena only advances *pos. T must
// hold no pointers.
func moveTo[T any](arena []byte, pos *int, s []T) []T {
	if len(s) == 0 {
		return s
	}
	b := bytesOf(s)
	at := *pos
	*pos += (len(b) + arenaAlign - 1) &^ (arenaAlign - 1)
	if arena == nil {
		return s
	}
	dst := arena[at : at+len(b)]
	copy(dst, b)
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(dst))), len(s))
}

// bboxDist is the planar distance (degrees) from (x, y) to an item's box.
func (it *itemIx) bboxDist(x, y float64) float64 {
	dx := max(it.minX-x, 0, x-it.maxX)
	dy := max(it.minY-y, 0, y-it.maxY)
	return math.Sqrt(dx*dx + dy*dy)
}

// locate is PostGIS point_in_multipolygon: polygons in order; the boundary
// of any ring met is a hard stop; inside a shell and outside its holes is
// inside.
func (ix *Index) locate(it *itemIx, x, y float64) int {
	if x < it.minX || x > it.maxX || y < it.minY || y > it.maxY {
		return locOutside
	}
	for p := it.p0; p < it.p1; p++ {
		pp := &ix.polys[p]
		switch ix.locateRing(&ix.rings[pp.r0], x, y) {
		case locBoundary:
			return locBoundary
		case locInside:
			inHole := false
			for h := pp.r0 + 1; h < pp.r1; h++ {
				l := ix.locateRing(&ix.rings[h], x, y)
				if l == locBoundary {
					return locBoundary
				}
				if l == locInside {
					inHole = true
					break
				}
			}
			if !inHole {
				return locInside
			}
		}
	}
	return locOutside
}

// dist is PostGIS ST_Distance(geom, point) in degrees and the closest
// point: 0 when covered; else the distance to the shell the point is
// outside of, or to the hole it is inside, minimised over polygons. Only
// edges within lim of the point are looked at (+Inf when none is).
func (ix *Index) dist(it *itemIx, x, y, lim float64) (d, cx, cy float64) {
	d = inf
	for p := it.p0; p < it.p1; p++ {
		pp := &ix.polys[p]
		shell := &ix.rings[pp.r0]
		var dd, qx, qy float64
		switch ix.locateRing(shell, x, y) {
		case locOutside:
			dd, qx, qy = ix.ringDist(shell, x, y, lim)
		case locBoundary:
			return 0, x, y
		default:
			dd, qx, qy = 0, x, y
			for h := pp.r0 + 1; h < pp.r1; h++ {
				hr := &ix.rings[h]
				l := ix.locateRing(hr, x, y)
				if l == locBoundary {
					return 0, x, y
				}
				if l == locInside {
					dd, qx, qy = ix.ringDist(hr, x, y, lim)
					break
				}
			}
		}
		if dd < d {
			d, cx, cy = dd, qx, qy
		}
		if d == 0 {
			return 0, x, y
		}
	}
	return d, cx, cy
}

// Lookup routes one lon/lat point (see the rules on Index). It takes no
// lock and does not allocate. A non-finite point matches nothing.
func (ix *Index) Lookup(pt orb.Point) Match {
	var m Match
	ix.LookupTo(pt[0], pt[1], &m)
	return m
}

// LookupTo is Lookup of the point (x, y) writing the answer to *m (every
// field), for callers on a hot path: a Match is too large for the
// compiler to keep in registers, and copying a returned one (or an
// orb.Point argument built from two floats) costs a store-forwarding
// stall (measured: docs/benchmarks.md).
func (ix *Index) LookupTo(x, y float64, m *Match) {
	if !(x >= ix.gx0 && x < ix.gx1 && y >= ix.gy0 && y < ix.gy1) {
		ix.nearestTo(m, x, y)
		return
	}
	fx, fy := (x-ix.gx0)*ix.inv, (y-ix.gy0)*ix.inv
	cx, cy := int(fx), int(fy)
	if cx >= ix.nx {
		cx = ix.nx - 1
	}
	if cy >= ix.ny {
		cy = ix.ny - 1
	}
	var v uint32
	var bitem int32 // a mixed block's item (blocks.go)
	if ix.blocks == nil {
		v = ix.cells[cy*ix.nx+cx]
	} else if w := ix.blocks[(cy>>blockShift)*ix.nbx+cx>>blockShift]; w&blockMixed != blockMixed {
		v = w
	} else {
		i := int(w & ix.blockIdx)
		bitem = int32(w &^ blockMixed >> ix.blockItemShift)
		if ix.bmask != nil && ix.bmask[i]>>halfCell(fx, fy, cx, cy)&1 != 0 {
			*m = Match{Key: ix.keyOf(bitem), Kind: MatchInside, NearKey: -1}
			return
		}
		v = ix.mixedCell(i, cx, cy)
	}
	if v&cellDirect != 0 {
		if v&cellOuter == 0 {
			*m = Match{Key: ix.keyOf(int32(v &^ cellDirect)), Kind: MatchInside, NearKey: -1}
			return
		}
		// A known cell with far sub-cells (far.go).
		if v>>ix.farBits&(1<<ix.subCell(fx, fy, cx, cy)) != 0 {
			*m = Match{Key: ix.keyOf(int32(v & (1<<ix.farBits - 1))), Kind: MatchInside, NearKey: -1}
			return
		}
		v = ix.farList(uint32(cy*ix.nx + cx))
	}
	if v == cellNone {
		*m = Match{Key: -1, NearKey: -1}
		return
	}
	if v&cellOuter != 0 {
		k := int32(v &^ cellOuter)
		if k == outerNone {
			k = -1
		}
		*m = Match{Key: -1, NearKey: -1, OuterKey: k, OuterKnown: true}
		return
	}
	if v&cellRange != 0 && ix.rangeShift != 0 {
		ix.rangeMatch(m, v, cy, x, y)
		return
	}
	if v&cellSpans != 0 && ix.spansDelta != 0 {
		ix.spansMatch(m, v, bitem, cy, x, y)
		return
	}
	if ix.narrow != nil {
		listMatch(ix, ix.narrow, narrowKind, m, v, cy, x, y)
	} else {
		listMatch(ix, ix.lists, listKind, m, v, cy, x, y)
	}
}

// listMatch answers a point whose cell word v is the offset of its list in
// lists, whose headers keep the list kind from bit kshift up (Index.lists
// and Index.narrow).
func listMatch[T listWord](ix *Index, lists []T, kshift uint, m *Match, v uint32, cy int, x, y float64) {
	hdr := uint32(lists[v])
	n := hdr & (1<<kshift - 1)
	switch hdr >> kshift {
	case kindKnown:
		// No edge touches the cell and one item covers all of it: only
		// the near-border neighbour is left, from the other items' edges
		// that come near the cell.
		*m = Match{Key: ix.keyOf(int32(lists[v+1])), Kind: MatchInside, NearKey: -1}
		if n > 0 {
			d2, h, w, j := nearestEdge(ix, lists[v+2:v+2+n], x, y, -1, ix.nearDeg)
			ix.setNear(m, cy, x, y, d2, h, w, j)
		}
		return
	case kindNearest:
		// Nothing covers the cell: every edge that can be the nearest one
		// for a point of the cell is listed.
		d2, h, w, j := nearestEdge(ix, lists[v+1:v+1+n], x, y, -1, ix.nearestDeg)
		ix.nearestMatch(m, cy, x, y, d2, h, w, j)
		return
	}
	o := v + 1 // the candidates
	split := hdr>>kshift == kindSplit
	if split {
		o += 2
	}
	list := lists[o : o+n]
	ne := uint32(lists[o+n])
	es := lists[o+1+n : o+1+n+ne]
	win, loc, wpos := int32(-1), locOutside, 0
	sided := false
	if split {
		// A split cell (split.go): the point's side of the piece names
		// the candidate covering it, and no other covers it.
		var r uint32
		if r, sided = ix.splitSide(int(lists[v+1]), uint32(lists[v+2]), x, y); sided && r != splitNone {
			win, loc, wpos = int32(list[r]), locInside, len(list)-1
		}
	}
	if !sided {
		for k, i := range list {
			if l := ix.locate(&ix.items[i], x, y); l != locOutside {
				win, loc, wpos = int32(i), l, k
				break
			}
		}
	}
	if win < 0 {
		if ix.nearestM <= 0 {
			*m = Match{Key: -1, NearKey: -1}
			return
		}
		// The list holds every edge within NearBorderMeters of the
		// point: when the nearest listed edge is that close it is the
		// nearest of all; otherwise search the R-tree.
		if d2, h, w, j := nearestEdge(ix, es, x, y, -1, ix.nearDeg); j >= 0 {
			ix.nearestMatch(m, cy, x, y, d2, h, w, j)
			return
		}
		ix.nearestTo(m, x, y)
		return
	}
	*m = Match{Key: ix.keyOf(win), Kind: MatchInside, NearKey: -1}
	if loc == locBoundary {
		m.Kind = MatchEdge
	}
	if ix.nearM > 0 {
		d2, h, w, j := nearestEdge(ix, es, x, y, win, ix.nearDeg)
		// Candidates after the winner may cover the point as well (a
		// shared boundary, or an overlap): their distance is 0, and the
		// first of them in key order is the lowest.
		for _, i := range list[wpos+1:] {
			if d2 == 0 && int32(i) > j {
				break
			}
			if ix.locate(&ix.items[i], x, y) != locOutside {
				d2, h, w, j = 0, 0, 0, int32(i)
				break
			}
		}
		ix.setNear(m, cy, x, y, d2, h, w, j)
	}
}

// nearestEdge returns the square of the planar distance (degrees) from
// (x, y) to the nearest of the edges es (ascending ids) that is within
// lim, skipping the edges of item skip, the offsets from (x, y) to its
// closest point (segDist2) and its item (-1 when none is within lim).
// Ties of the distance go to the first edge, hence to the lowest key
// (closer). The limit is compared as a square: it is a conservative
// radius (DegreesFor), and the metres decide.
// (A box-distance pre-test before each segDist was tried and measured no
// faster: the lists hold 2–6 edges.)
func nearestEdge[T listWord](ix *Index, es []T, x, y float64, skip int32, lim float64) (d2, h, v float64, item int32) {
	d2, item = inf, -1
	lim2 := lim * lim
	for _, e := range es {
		it := ix.eitem[e]
		if it == skip {
			continue
		}
		g := ix.edge(int(e))
		if dd, eh, ev := segDist2(x, y, g.ax, g.ay, g.bx, g.by); dd <= lim2 && closer(dd, d2) {
			d2, h, v, item = dd, eh, ev, it
		}
	}
	return d2, h, v, item
}

// setNear records item j at squared planar distance d2 (closest point
// (x+h, y+v)) as the near-border neighbour of a covered point when it is
// within NearBorderMeters. Beyond nearDeg it cannot be (nearDeg is
// conservative).
func (ix *Index) setNear(m *Match, cy int, x, y, d2, h, v float64, j int32) {
	if j < 0 || d2 > ix.nearDeg*ix.nearDeg {
		return
	}
	mm := 0.0
	if d2 > 0 {
		mm = ix.metersAt(cy, x, y, h, v)
	}
	if mm <= ix.nearM {
		m.NearKey, m.NearM = ix.keyOf(j), mm
	}
}

// nearestMatch answers an uncovered point whose planar-nearest item is j
// at squared distance d2 (closest point (x+h, y+v)); j < 0: none.
func (ix *Index) nearestMatch(m *Match, cy int, x, y, d2, h, v float64, j int32) {
	*m = Match{Key: -1, NearKey: -1}
	if j < 0 || ix.nearestM <= 0 || d2 > ix.nearestDeg*ix.nearestDeg {
		return
	}
	mm := ix.metersAt(cy, x, y, h, v)
	if mm > ix.nearestM {
		return
	}
	m.Key, m.Kind, m.DistanceM = ix.keyOf(j), MatchNearest, mm
}

// ringsDist is the planar distance (degrees) from a point the item does not
// cover to the item: the minimum over all its rings, which equals PostGIS's
// (distance to the shell the point is outside of, or to the hole it is in),
// since any other ring lies beyond that one. Rings farther than lim are
// skipped (+Inf when all are).
func (ix *Index) ringsDist(it *itemIx, x, y, lim float64) (d, cx, cy float64) {
	d = inf
	for p := it.p0; p < it.p1; p++ {
		pp := &ix.polys[p]
		for ri := pp.r0; ri < pp.r1; ri++ {
			r := &ix.rings[ri]
			dx := max(r.minX-x, 0, x-r.maxX)
			dy := max(r.minY-y, 0, y-r.maxY)
			if dx > lim || dy > lim || dx > d || dy > d {
				continue
			}
			if dd, qx, qy := ix.ringDist(r, x, y, min(lim, d)); dd < d {
				d, cx, cy = dd, qx, qy
			}
		}
	}
	return d, cx, cy
}

// nearestTo answers a point covered by no item.
func (ix *Index) nearestTo(m *Match, x, y float64) {
	*m = Match{Key: -1, NearKey: -1}
	if ix.nearestM <= 0 || x != x || y != y {
		return
	}
	r := ix.nearestDeg
	best, bd, bx, by := int32(-1), inf, 0.0, 0.0
	ix.tree.Search([2]float64{x - r, y - r}, [2]float64{x + r, y + r}, func(_, _ [2]float64, i int32) bool {
		it := &ix.items[i]
		if bb := it.bboxDist(x, y); bb > r || bb > bd*(1+1e-9) {
			return true
		}
		d, qx, qy := ix.dist(it, x, y, r)
		if d < bd || d == bd && best >= 0 && i < best {
			best, bd, bx, by = i, d, qx, qy
		}
		return true
	})
	ix.nearestMatch(m, -1, x, y, bd*bd, bx-x, by-y, best)
}

// Covering returns the keys of every item covering pt (ST_Covers), in
// ascending order. For tests and diagnostics; it allocates.
func (ix *Index) Covering(pt orb.Point) []int32 {
	var out []int32
	for i := range ix.items {
		if ix.locate(&ix.items[i], pt[0], pt[1]) != locOutside {
			out = append(out, ix.items[i].key)
		}
	}
	return out
}

// Distance returns the planar distance in degrees (ST_Distance on
// geometry) from pt to the item with key k, the closest point, and ok =
// false when no item has that key. For tests and diagnostics.
func (ix *Index) Distance(k int32, pt orb.Point) (deg float64, closest orb.Point, ok bool) {
	i := sort.Search(len(ix.items), func(i int) bool { return ix.items[i].key >= k })
	if i == len(ix.items) || ix.items[i].key != k {
		return 0, orb.Point{}, false
	}
	d, cx, cy := ix.dist(&ix.items[i], pt[0], pt[1], inf)
	return d, orb.Point{cx, cy}, true
}

// OnBoundary reports whether pt lies on a ring of the item with key k
// (PostGIS boundary rule). For tests and diagnostics.
func (ix *Index) OnBoundary(k int32, pt orb.Point) bool {
	i := sort.Search(len(ix.items), func(i int) bool { return ix.items[i].key >= k })
	if i == len(ix.items) || ix.items[i].key != k {
		return false
	}
	return ix.locate(&ix.items[i], pt[0], pt[1]) == locBoundary
}

// markOuter gives each cell that no item answers (cellNone) the key of
// outer when every cell of outer that a point of it can fall in is direct
// for that key, or outerNone when outer answers -1 at every point of it
// (outer has no nearest search, and the cell lies off outer's raster or in
// its "none" cells) (build time). outer.Lookup computes a point's cell with the
// same monotone arithmetic, so the cells met by the cell's corners, with
// slack, bound those of all its points; the cell must lie inside outer's
// raster, where outer.Lookup reads its cells.
func (ix *Index) markOuter(outer *Index) {
	if outer.nx == 0 {
		return
	}
	cs := 1 / ix.inv
	slack := cs*1e-6 + 1e-12
	// With no nearest search, outer answers -1 for every point off its
	// raster and in its "none" cells.
	noneOff := outer.nearestM <= 0
	for cy := 0; cy < ix.ny; cy++ {
		y0 := ix.gy0 + float64(cy)*cs - slack
		y1 := ix.gy0 + float64(cy+1)*cs + slack
		offY := y1 < outer.gy0 || y0 >= outer.gy1
		if !offY && (y0 <= outer.gy0 || y1 >= outer.gy1) {
			continue
		}
		oy0, oy1 := outer.cellY(y0), outer.cellY(y1)
		for cx := 0; cx < ix.nx; cx++ {
			c := cy*ix.nx + cx
			if ix.cells[c] != cellNone {
				continue
			}
			x0 := ix.gx0 + float64(cx)*cs - slack
			x1 := ix.gx0 + float64(cx+1)*cs + slack
			if offY || x1 < outer.gx0 || x0 >= outer.gx1 {
				if noneOff {
					ix.cells[c] = cellOuter | outerNone
				}
				continue
			}
			if x0 <= outer.gx0 || x1 >= outer.gx1 {
				continue
			}
			ox0, ox1 := outer.cellX(x0), outer.cellX(x1)
			v := outer.cell(ox0, oy0)
			same := v&cellDirect != 0 && v&cellOuter == 0 || v == cellNone && noneOff
			for oy := oy0; same && oy <= oy1; oy++ {
				for ox := ox0; ox <= ox1; ox++ {
					if outer.cell(ox, oy) != v {
						same = false
						break
					}
				}
			}
			if !same {
				continue
			}
			if v == cellNone {
				ix.cells[c] = cellOuter | outerNone
			} else if k := outer.keyOf(int32(v &^ cellDirect)); k >= 0 && k < outerNone {
				ix.cells[c] = cellOuter | uint32(k)
			}
		}
	}
}
