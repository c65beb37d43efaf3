package geotest

// ValidityCase is a named WKT geometry with the verdict of PostGIS
// ST_IsValid and, for invalid ones, a phrase geo.Validate's error contains.
type ValidityCase struct {
	Name   string
	WKT    string
	Valid  bool
	Reason string
}

// ValidityCases are shared by geo's tests and routing/oracle's PostGIS check.
var ValidityCases = []ValidityCase{
	{"square", "POLYGON((0 0,1 0,1 1,0 1,0 0))", true, ""},
	{"clockwise square", "POLYGON((0 0,0 1,1 1,1 0,0 0))", true, ""},
	{"repeated point", "POLYGON((0 0,1 0,1 0,1 1,0 1,0 0))", true, ""},
	{"square with hole", "POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,1 2,2 2,2 1,1 1))", true, ""},
	{"hole touching shell at a point", "POLYGON((0 0,4 0,4 4,0 4,0 0),(0 0,1 2,2 1,0 0))", true, ""},
	{"two holes touching at a point", "POLYGON((0 0,6 0,6 6,0 6,0 0),(1 1,1 3,3 3,3 1,1 1),(3 3,3 5,5 5,5 3,3 3))", true, ""},
	{"multipolygon apart", "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((2 0,3 0,3 1,2 1,2 0)))", true, ""},
	{"multipolygon touching at a vertex", "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((1 1,2 1,2 2,1 2,1 1)))", true, ""},
	{"island in a hole", "MULTIPOLYGON(((0 0,6 0,6 6,0 6,0 0),(1 1,1 5,5 5,5 1,1 1)),((2 2,4 2,4 4,2 4,2 2)))", true, ""},
	{"bow-tie", "POLYGON((0 0,1 1,1 0,0 1,0 0))", false, "self-intersection"},
	{"spike", "POLYGON((0 0,2 0,2 1,2 3,2 1,0 1,0 0))", false, "self-intersection"},
	{"ring touching itself", "POLYGON((0 0,4 0,4 4,2 0,0 4,0 0))", false, "self-intersection"},
	{"collapsed ring", "POLYGON((0 0,1 1,2 2,0 0))", false, "collapsed"},
	{"hole outside shell", "POLYGON((0 0,1 0,1 1,0 1,0 0),(2 2,2 3,3 3,3 2,2 2))", false, "outside its shell"},
	{"hole crossing shell", "POLYGON((0 0,2 0,2 2,0 2,0 0),(1 1,1 3,3 3,3 1,1 1))", false, "crosses"},
	{"nested holes", "POLYGON((0 0,6 0,6 6,0 6,0 0),(1 1,1 5,5 5,5 1,1 1),(2 2,2 3,3 3,3 2,2 2))", false, "inside hole"},
	{"overlapping polygons", "MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0)),((1 1,3 1,3 3,1 3,1 1)))", false, "crosses"},
	{"polygons sharing an edge", "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((1 0,2 0,2 1,1 1,1 0)))", false, "shares an edge"},
	{"polygon inside polygon", "MULTIPOLYGON(((0 0,4 0,4 4,0 4,0 0)),((1 1,2 1,2 2,1 2,1 1)))", false, "overlaps"},
	{"identical polygons", "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((0 0,1 0,1 1,0 1,0 0)))", false, "shares an edge"},
}
