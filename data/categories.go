package data

import "time"

// DefaultCategories are the kinds of report named by the Licang practice
// (seed/licang-grid-management-2013.txt), each with the deadline a case of
// it must be closed in. Stores seed them on first migration.
var DefaultCategories = []Category{
	{Code: "population_change", Name: "人口变化", NameEN: "Population change", Deadline: 72 * time.Hour},
	{Code: "floating_population", Name: "流动人口", NameEN: "Floating population", Deadline: 72 * time.Hour},
	{Code: "facility_damage", Name: "公共设施损坏", NameEN: "Public-facility damage", Deadline: 48 * time.Hour},
	{Code: "fire_equipment", Name: "消防设施缺失", NameEN: "Missing fire-safety equipment", Deadline: 24 * time.Hour},
	{Code: "neighbour_dispute", Name: "邻里纠纷", NameEN: "Neighbour dispute", Deadline: 72 * time.Hour},
	{Code: "safety_hazard", Name: "安全隐患", NameEN: "Safety hazard", Deadline: 24 * time.Hour},
	{Code: "resident_request", Name: "居民诉求", NameEN: "Resident request", Deadline: 120 * time.Hour},
	{Code: "other", Name: "其他", NameEN: "Other", Deadline: 168 * time.Hour},
}

// OpenStatus reports whether a case in status s is still being worked.
func OpenStatus(s Status) bool { return s != StatusClosed && s != StatusRejected }
