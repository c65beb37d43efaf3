package geo

// ShortMetersForTest exposes shortMeters to the external tests.
var ShortMetersForTest = shortMeters
