package ranking

import "math"

// earthRadiusM is the mean Earth radius. GCJ-02 offsets are a few hundred
// metres at most and nearly constant within a city, so haversine on GCJ-02
// coordinates is accurate enough for ranking and routing.
const earthRadiusM = 6371008.8

// Point is a GCJ-02 coordinate. The zero Point means "unknown".
type Point struct{ Lat, Lng float64 }

// Known reports whether the point was set (0,0 is in the Gulf of Guinea, not China).
func (p Point) Known() bool { return p.Lat != 0 || p.Lng != 0 }

// DistanceM is the great-circle distance in metres (haversine).
func DistanceM(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLng := (b.Lng - a.Lng) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}
