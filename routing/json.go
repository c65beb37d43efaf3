package routing

import (
	"math"
	"strconv"
)

// AppendJSON appends the answer as JSON (RouteAnswer in docs/openapi.yaml)
// without reflection or allocation beyond b's growth: the API's hot path.
func (a *Answer) AppendJSON(b []byte) []byte {
	b = append(b, `{"match":"`...)
	b = append(b, a.Match...)
	b = append(b, `","revision":`...)
	b = strconv.AppendInt(b, a.Revision, 10)
	b = append(b, `,"grid":`...)
	if a.Grid.Code == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"code":`...)
		b = appendString(b, a.Grid.Code)
		b = append(b, `,"name":`...)
		b = appendString(b, a.Grid.Name)
		b = append(b, `,"revision":`...)
		b = strconv.AppendInt(b, a.GridRevision, 10)
		b = append(b, '}')
	}
	b = append(b, `,"distance_m":`...)
	b = appendFloat(b, a.DistanceM)
	hasGrid := a.Grid.Code != ""
	b = append(b, `,"leader":`...)
	if hasGrid && !a.LeaderVacant && a.Leader.ID != 0 {
		b = appendPerson(b, &a.Leader, "")
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"vacant":`...)
	b = strconv.AppendBool(b, hasGrid && a.LeaderVacant)
	b = append(b, `,"fallback":`...)
	if hasGrid && a.LeaderVacant && a.Leader.ID != 0 {
		b = appendPerson(b, &a.Leader, string(a.LeaderRole))
	} else {
		b = append(b, "null"...)
	}
	b = appendRef(b, `,"community":`, a.Community)
	b = appendRef(b, `,"street":`, a.Street)
	b = appendRef(b, `,"district":`, a.District)
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
	b = append(b, `","grid":`...)
	b = appendString(b, a.Grid.Code)
	b = append(b, `,"leader_id":`...)
	b = strconv.AppendInt(b, a.Leader.ID, 10)
	b = append(b, `,"community":`...)
	b = appendString(b, a.Community.Code)
	b = append(b, `,"street":`...)
	b = appendString(b, a.Street.Code)
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
