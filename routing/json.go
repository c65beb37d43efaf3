package routing

import (
	"math"
	"strconv"
)

// prepare computes the Place's JSON fragments (Build time).
func (p *Place) prepare() {
	b := append([]byte(nil), `","revision":`...)
	b = strconv.AppendInt(b, p.Revision, 10)
	b = append(b, `,"grid":`...)
	if p.Grid.Code == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"code":`...)
		b = appendString(b, p.Grid.Code)
		b = append(b, `,"name":`...)
		b = appendString(b, p.Grid.Name)
		b = append(b, `,"revision":`...)
		b = strconv.AppendInt(b, p.GridRevision, 10)
		b = append(b, '}')
	}
	p.split = len(b)
	hasGrid := p.Grid.Code != ""
	b = append(b, `,"leader":`...)
	if hasGrid && !p.LeaderVacant && p.Leader.ID != 0 {
		b = appendPerson(b, &p.Leader, "")
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"vacant":`...)
	b = strconv.AppendBool(b, hasGrid && p.LeaderVacant)
	b = append(b, `,"fallback":`...)
	// A vacant grid's deputy or community head; for a point in no grid
	// (unassigned), the community head, who triages it.
	if (!hasGrid || p.LeaderVacant) && p.Leader.ID != 0 {
		b = appendPerson(b, &p.Leader, string(p.LeaderRole))
	} else {
		b = append(b, "null"...)
	}
	b = appendRef(b, `,"community":`, p.Community)
	b = appendRef(b, `,"street":`, p.Street)
	b = appendRef(b, `,"district":`, p.District)
	p.full = b

	c := append([]byte(nil), `","grid":`...)
	c = appendString(c, p.Grid.Code)
	c = append(c, `,"leader_id":`...)
	c = strconv.AppendInt(c, p.Leader.ID, 10)
	c = append(c, `,"community":`...)
	c = appendString(c, p.Community.Code)
	c = append(c, `,"street":`...)
	c = appendString(c, p.Street.Code)
	p.compact = c
}

// AppendJSON appends the answer as JSON (RouteAnswer in docs/openapi.yaml)
// without reflection or allocation beyond b's growth: the API's hot path.
// The parts that depend only on the grid come precomputed from its Place.
func (a *Answer) AppendJSON(b []byte) []byte {
	b = append(b, `{"match":"`...)
	b = append(b, a.Match...)
	b = append(b, a.full[:a.split]...)
	b = append(b, `,"distance_m":`...)
	b = appendFloat(b, a.DistanceM)
	b = append(b, a.full[a.split:]...)
	b = append(b, `,"near_border":`...)
	if a.NearBorder.Code == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"code":`...)
		b = appendString(b, a.NearBorder.Code)
		b = append(b, `,"name":`...)
		b = appendString(b, a.NearBorder.Name)
		b = append(b, `,"distance_m":`...)
		b = appendFloat(b, a.NearBorderM)
		b = append(b, '}')
	}
	return append(b, '}')
}

// AppendCompactJSON appends the compact batch answer: match, grid code,
// leader id, community and street codes, distance.
func (a *Answer) AppendCompactJSON(b []byte) []byte {
	b = append(b, `{"match":"`...)
	b = append(b, a.Match...)
	b = append(b, a.compact...)
	if a.DistanceM != 0 {
		b = append(b, `,"distance_m":`...)
		b = appendFloat(b, a.DistanceM)
	}
	if a.NearBorder.Code != "" {
		b = append(b, `,"near_border":`...)
		b = appendString(b, a.NearBorder.Code)
	}
	return append(b, '}')
}

func appendRef(b []byte, key string, r AreaRef) []byte {
	b = append(b, key...)
	if r.Code == "" {
		return append(b, "null"...)
	}
	b = append(b, `{"code":`...)
	b = appendString(b, r.Code)
	b = append(b, `,"name":`...)
	b = appendString(b, r.Name)
	return append(b, '}')
}

func appendPerson(b []byte, p *Person, role string) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"name":`...)
	b = appendString(b, p.Name)
	b = append(b, `,"phone":`...)
	b = appendString(b, p.Phone)
	if role != "" {
		b = append(b, `,"role":`...)
		b = appendString(b, role)
	}
	return append(b, '}')
}

// appendFloat appends a finite float with up to 2 decimals (metres).
func appendFloat(b []byte, f float64) []byte {
	return strconv.AppendFloat(b, math.Round(f*100)/100, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string (UTF-8 passes through; control
// characters, quotes and backslashes are escaped).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
