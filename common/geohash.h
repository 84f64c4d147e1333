/* geohash: the 52-bit interleaved geohash Redis's geo commands store as a
 * sorted-set score, the 9-cell cover of a search area, haversine distance
 * and the GEOHASH string, computed exactly as Redis 7.0 computes them. */
#ifndef SHOAL_GEOHASH_H
#define SHOAL_GEOHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * A hash of `step` steps holds step longitude bits and step latitude bits,
 * interleaved: latitude bit k at bit 2k, longitude bit k at bit 2k+1, so
 * the most significant pair starts with longitude. Each coordinate is its
 * offset in the range scaled to [0, 2^step) and truncated. Stored scores
 * are 26-step hashes (52 bits) over Redis's Web Mercator latitude limits;
 * a member's position is the center of its cell.
 */

#define GEO_STEP_MAX 26
#define GEO_LAT_MIN -85.05112878
#define GEO_LAT_MAX 85.05112878
#define GEO_LONG_MIN -180.0
#define GEO_LONG_MAX 180.0
/* Earth's quadratic mean radius for WGS-84, Redis's value, in meters. */
#define GEO_EARTH_RADIUS_M 6372797.560856
#define GEO_MERCATOR_MAX 20037726.37

#define GEO_ERR_UNIT "unsupported unit provided. please use M, KM, FT, MI"

typedef struct {
    uint64_t bits;
    uint8_t step; /* 0 with bits 0: an excluded ("zeroed") cell */
} geohash_bits;

typedef struct {
    double min, max;
} geohash_range;

typedef struct {
    geohash_bits hash;
    geohash_range lon, lat;
} geohash_area;

/* Encode lon/lat with `step` bits per coordinate (1..32) over the given
 * ranges. 0 with *out set, or -1 if a coordinate is outside the ranges or
 * outside Redis's limits (GEO_LONG_*, GEO_LAT_*), a range is empty or step
 * is out of bounds. */
int geohash_encode(const geohash_range *lon_r, const geohash_range *lat_r,
                   double lon, double lat, int step, geohash_bits *out);
/* The same over Redis's ranges (GEO_LONG_*, GEO_LAT_*). */
int geohash_encode_wgs84(double lon, double lat, int step, geohash_bits *out);

/* The cell a hash covers. 0, or -1 for a zeroed cell or an empty range. */
int geohash_decode(const geohash_range *lon_r, const geohash_range *lat_r,
                   geohash_bits hash, geohash_area *area);
int geohash_decode_wgs84(geohash_bits hash, geohash_area *area);
/* The center of a cell, clamped to Redis's limits. */
void geohash_area_center(const geohash_area *area, double *lon, double *lat);

/* The hash shifted to 52 bits (a sorted-set score as an integer). */
uint64_t geohash_align52(geohash_bits hash);
/* GEOADD's score for lon/lat: 0, or -1 if outside Redis's limits (reply
 * "invalid longitude,latitude pair"). */
int geohash_score_encode(double lon, double lat, double *score);
/* A member's position from its score (the center of its 26-step cell):
 * 0, or -1 if it can't be decoded (GEOPOS then replies a null). */
int geohash_score_decode(double score, double *lon, double *lat);

/* GEOHASH's 11-character base32 string (plus a NUL) for a score: the
 * position re-encoded over the standard [-90, 90] latitude range; the last
 * character is always '0' (52 bits fill 10.4 characters). 0, or -1. */
int geohash_score_to_string(double score, char out[12]);

/* Neighbour cells, in the order Redis searches them after the center. */
enum geohash_dir {
    GEOHASH_N,
    GEOHASH_S,
    GEOHASH_E,
    GEOHASH_W,
    GEOHASH_NE,
    GEOHASH_NW,
    GEOHASH_SE,
    GEOHASH_SW,
};
/* The eight cells around hash at the same step (the longitude wraps; the
 * latitude wraps too, as Redis's bit arithmetic does). */
void geohash_neighbors(geohash_bits hash, geohash_bits out[8]);

/* Great-circle distance in meters (haversine, GEO_EARTH_RADIUS_M). */
double geohash_distance(double lon1, double lat1, double lon2, double lat2);

/* Meters per unit for "m", "km", "ft", "mi" (any case): 0 and *factor, or
 * -1 (reply GEO_ERR_UNIT). */
int geohash_unit_factor(const char *unit, size_t len, double *factor);

/* A search area: a circle of `radius` or a width x height box, in units
 * of `conversion` meters, centered on lon/lat. */
enum geohash_shape_type { GEOHASH_CIRCLE, GEOHASH_BOX };
typedef struct {
    enum geohash_shape_type type;
    double lon, lat;
    double conversion;
    double radius;
    double width, height;
} geohash_shape;

/* The bounding box of a shape: bounds[0] min longitude, [1] min latitude,
 * [2] max longitude, [3] max latitude (not wrapped or clamped). */
void geohash_bounding_box(const geohash_shape *shape, double bounds[4]);

/* The cells covering a shape, at one step chosen from its size: cells[0]
 * is the cell of the center, cells[1..8] its neighbours in enum
 * geohash_dir order; neighbours that lie wholly outside the bounding box
 * are zeroed (step 0, bits 0). area is the center cell. */
typedef struct {
    geohash_bits cells[9];
    geohash_area area;
} geohash_cover;
void geohash_cover_shape(const geohash_shape *shape, geohash_cover *cover);

/* The score ranges to scan for a cover, in Redis's order: zeroed cells and
 * a cell equal to the previously scanned one are skipped. Each range is
 * [min, max): min inclusive, max exclusive. Returns how many (<= 9). */
typedef struct {
    uint64_t min, max;
} geohash_score_range;
int geohash_cover_ranges(const geohash_cover *cover,
                         geohash_score_range out[9]);

/* 1 if the point lon/lat is inside the shape, with *dist its distance in
 * meters from the shape's center; 0 if outside (*dist then undefined). */
int geohash_in_shape(const geohash_shape *shape, double lon, double lat,
                     double *dist);

#endif
