// Package open311 serves Open311 GeoReport v2 on top of package workflow, so
// that existing civic-report clients can file and follow cases unchanged.
// The main api mounts the handler at /open311/v2/ (with or without the
// prefix stripped). Every resource answers in JSON (".json") and XML (".xml").
//
//	GET  discovery.{fmt}            service discovery
//	GET  services.{fmt}             the report categories as services (metadata=false, type=realtime)
//	GET  services/{code}.{fmt}      service definition: no attributes
//	GET  requests.{fmt}             service_request_id, service_code, start_date, end_date, status
//	POST requests.{fmt}             form-encoded (or multipart): api_key, service_code, lat+long or address_string, …
//	GET  requests/{id}.{fmt}        one request
//	GET  tokens/{token}.{fmt}       always 404: requests are realtime, ids are returned at once
//
// Mapping. A service is a data.Category (service_code = category code). A
// request is a data.Report seen through workflow.PublicView: status is
// "closed" for closed and rejected cases, "open" otherwise; status_notes
// names the stage, then the note given with the step that reached it (the
// reason of a rejection …, as in the public event log), the original of a
// duplicate and an escalation; agency_responsible is
// the street and community the case was routed to; requested, updated and
// expected datetimes are CreatedAt, UpdatedAt and DueAt in ISO 8601 with the
// configured offset (default +08:00); media_url is the first media URL.
// GET requests without ids returns at most 1000 requests, newest first,
// from a window of at most 90 days (default: the 90 days up to now).
//
// POST needs an api_key: a token from workflow.IssueToken (the case is
// filed by that person) or Options.PublicKey (filed by the public). A
// missing or unknown key is 403. first_name + last_name (or, without them,
// email) become the reporter's name and phone their phone; data.Report has
// no e-mail field, so an e-mail next to a name is dropped. Reporter
// details are never shown publicly. An Idempotency-Key header is honoured.
// Errors are the spec's list: [{"code":400,"description":"…"}].
package open311
