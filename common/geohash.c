/* geohash: interleaved geohash encoding, neighbours, search-area cover and
 * distances, with Redis 7.0's arithmetic (same operations in the same order,
 * so scores, positions and distances agree to the last bit). */
#include "geohash.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#define DEG_TO_RAD (M_PI / 180.0)

static double deg_rad(double deg)
{
    return deg * DEG_TO_RAD;
}

static double rad_deg(double rad)
{
    return rad / DEG_TO_RAD;
}

static const geohash_range wgs84_lon = {GEO_LONG_MIN, GEO_LONG_MAX};
static const geohash_range wgs84_lat = {GEO_LAT_MIN, GEO_LAT_MAX};

/* Spread the 32 bits of v to the even bits of a 64-bit word. */
static uint64_t spread(uint32_t v)
{
    uint64_t x = v;

    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

/* Gather the even bits of x into 32 bits (the inverse of spread). */
static uint32_t gather(uint64_t x)
{
    x &= 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

static uint64_t interleave(uint32_t lat_bits, uint32_t lon_bits)
{
    return spread(lat_bits) | (spread(lon_bits) << 1);
}

static int range_empty(const geohash_range *r)
{
    return r->min == 0 && r->max == 0;
}

int geohash_encode(const geohash_range *lon_r, const geohash_range *lat_r,
                   double lon, double lat, int step, geohash_bits *out)
{
    double lat_off, lon_off;

    if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX ||
        lat < GEO_LAT_MIN) {
        return -1;
    }
    if (step < 1 || step > 32 || range_empty(lat_r) || range_empty(lon_r)) {
        return -1;
    }
    out->bits = 0;
    out->step = (uint8_t)step;
    if (lat < lat_r->min || lat > lat_r->max || lon < lon_r->min ||
        lon > lon_r->max) {
        return -1;
    }
    lat_off = (lat - lat_r->min) / (lat_r->max - lat_r->min);
    lon_off = (lon - lon_r->min) / (lon_r->max - lon_r->min);
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    /* Truncation, and at the upper limit an offset of exactly 2^step: the
     * carry bit lands above the hash, as it does in Redis. */
    out->bits =
        interleave((uint32_t)(uint64_t)lat_off, (uint32_t)(uint64_t)lon_off);
    return 0;
}

int geohash_encode_wgs84(double lon, double lat, int step, geohash_bits *out)
{
    return geohash_encode(&wgs84_lon, &wgs84_lat, lon, lat, step, out);
}

int geohash_decode(const geohash_range *lon_r, const geohash_range *lat_r,
                   geohash_bits hash, geohash_area *area)
{
    uint32_t ilat, ilon;
    double cells, lat_scale, lon_scale;

    if ((hash.bits == 0 && hash.step == 0) || range_empty(lat_r) ||
        range_empty(lon_r)) {
        return -1;
    }
    area->hash = hash;
    ilat = gather(hash.bits);
    ilon = gather(hash.bits >> 1);
    cells = (double)(1ULL << hash.step);
    lat_scale = lat_r->max - lat_r->min;
    lon_scale = lon_r->max - lon_r->min;
    /* ilat + 1 wraps in 32 bits, as Redis's does. */
    area->lat.min = lat_r->min + (ilat * 1.0 / cells) * lat_scale;
    area->lat.max =
        lat_r->min + ((uint32_t)(ilat + 1) * 1.0 / cells) * lat_scale;
    area->lon.min = lon_r->min + (ilon * 1.0 / cells) * lon_scale;
    area->lon.max =
        lon_r->min + ((uint32_t)(ilon + 1) * 1.0 / cells) * lon_scale;
    return 0;
}

int geohash_decode_wgs84(geohash_bits hash, geohash_area *area)
{
    return geohash_decode(&wgs84_lon, &wgs84_lat, hash, area);
}

void geohash_area_center(const geohash_area *area, double *lon, double *lat)
{
    double x = (area->lon.min + area->lon.max) / 2;
    double y = (area->lat.min + area->lat.max) / 2;

    if (x > GEO_LONG_MAX) {
        x = GEO_LONG_MAX;
    }
    if (x < GEO_LONG_MIN) {
        x = GEO_LONG_MIN;
    }
    if (y > GEO_LAT_MAX) {
        y = GEO_LAT_MAX;
    }
    if (y < GEO_LAT_MIN) {
        y = GEO_LAT_MIN;
    }
    *lon = x;
    *lat = y;
}

uint64_t geohash_align52(geohash_bits hash)
{
    return hash.bits << (52 - hash.step * 2);
}

int geohash_score_encode(double lon, double lat, double *score)
{
    geohash_bits h;

    if (geohash_encode_wgs84(lon, lat, GEO_STEP_MAX, &h) != 0) {
        return -1;
    }
    *score = (double)geohash_align52(h);
    return 0;
}

int geohash_score_decode(double score, double *lon, double *lat)
{
    geohash_bits h = {(uint64_t)score, GEO_STEP_MAX};
    geohash_area area;

    if (geohash_decode_wgs84(h, &area) != 0) {
        return -1;
    }
    geohash_area_center(&area, lon, lat);
    return 0;
}

int geohash_score_to_string(double score, char out[12])
{
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    const geohash_range lon_r = {-180, 180};
    const geohash_range lat_r = {-90, 90};
    geohash_bits h;
    double lon, lat;

    if (geohash_score_decode(score, &lon, &lat) != 0) {
        return -1;
    }
    /* A failed encode leaves bits 0, and Redis prints that. */
    geohash_encode(&lon_r, &lat_r, lon, lat, GEO_STEP_MAX, &h);
    for (int i = 0; i < 10; i++) {
        out[i] = alphabet[(h.bits >> (52 - (i + 1) * 5)) & 0x1f];
    }
    out[10] = alphabet[0];
    out[11] = '\0';
    return 0;
}

/* ---- neighbours ---------------------------------------------------------
 * Moving a cell changes one coordinate by +-1 modulo 2^step; the other
 * keeps all its bits (even any above the step, as Redis's masks do). */

static geohash_bits move(geohash_bits h, int dlon, int dlat)
{
    uint32_t lat = gather(h.bits);
    uint32_t lon = gather(h.bits >> 1);
    uint32_t mask = (uint32_t)((1ULL << h.step) - 1);

    if (dlon != 0) {
        lon = (uint32_t)(lon + (uint32_t)dlon) & mask;
    }
    if (dlat != 0) {
        lat = (uint32_t)(lat + (uint32_t)dlat) & mask;
    }
    h.bits = interleave(lat, lon);
    return h;
}

void geohash_neighbors(geohash_bits hash, geohash_bits out[8])
{
    out[GEOHASH_N] = move(hash, 0, 1);
    out[GEOHASH_S] = move(hash, 0, -1);
    out[GEOHASH_E] = move(hash, 1, 0);
    out[GEOHASH_W] = move(hash, -1, 0);
    out[GEOHASH_NE] = move(hash, 1, 1);
    out[GEOHASH_NW] = move(hash, -1, 1);
    out[GEOHASH_SE] = move(hash, 1, -1);
    out[GEOHASH_SW] = move(hash, -1, -1);
}

/* ---- distance ------------------------------------------------------------ */

double geohash_distance(double lon1, double lat1, double lon2, double lat2)
{
    double lat1r = deg_rad(lat1);
    double lon1r = deg_rad(lon1);
    double lat2r = deg_rad(lat2);
    double lon2r = deg_rad(lon2);
    double u = sin((lat2r - lat1r) / 2);
    double v = sin((lon2r - lon1r) / 2);

    /* On one meridian redis-server 7.0.15 takes the arc along it, which
     * differs from the haversine in the last bits (seen in STOREDIST). */
    if (v == 0.0) {
        return GEO_EARTH_RADIUS_M * fabs(lat2r - lat1r);
    }
    return 2.0 * GEO_EARTH_RADIUS_M *
           asin(sqrt(u * u + cos(lat1r) * cos(lat2r) * v * v));
}

int geohash_unit_factor(const char *unit, size_t len, double *factor)
{
    static const struct {
        const char *name;
        double meters;
    } units[] = {{"m", 1}, {"km", 1000}, {"ft", 0.3048}, {"mi", 1609.34}};

    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strlen(units[i].name) == len &&
            strncasecmp(unit, units[i].name, len) == 0) {
            *factor = units[i].meters;
            return 0;
        }
    }
    return -1;
}

/* ---- search cover -------------------------------------------------------- */

/* Steps so that a cell is about as large as the search radius: halve the
 * Mercator extent until it is below it, back off two steps so the 3x3
 * block covers the radius, and one or two more near the poles where cells
 * shrink in width. */
static int steps_for_radius(double meters, double lat)
{
    int step = 1;

    if (meters == 0) {
        return GEO_STEP_MAX;
    }
    while (meters < GEO_MERCATOR_MAX) {
        meters *= 2;
        step++;
    }
    step -= 2;
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80) {
            step--;
        }
    }
    if (step < 1) {
        step = 1;
    }
    if (step > GEO_STEP_MAX) {
        step = GEO_STEP_MAX;
    }
    return step;
}

void geohash_bounding_box(const geohash_shape *shape, double bounds[4])
{
    double half_h =
        shape->conversion *
        (shape->type == GEOHASH_CIRCLE ? shape->radius : shape->height / 2);
    double half_w =
        shape->conversion *
        (shape->type == GEOHASH_CIRCLE ? shape->radius : shape->width / 2);
    double dlat = rad_deg(half_h / GEO_EARTH_RADIUS_M);
    /* Degrees of longitude per meter grow towards the pole, so the widest
     * edge is the one nearer the pole: the top one in the north, the
     * bottom one in the south. */
    double dlon_top =
        rad_deg(half_w / GEO_EARTH_RADIUS_M / cos(deg_rad(shape->lat + dlat)));
    double dlon_bottom =
        rad_deg(half_w / GEO_EARTH_RADIUS_M / cos(deg_rad(shape->lat - dlat)));
    double dlon = shape->lat < 0 ? dlon_bottom : dlon_top;

    bounds[0] = shape->lon - dlon;
    bounds[1] = shape->lat - dlat;
    bounds[2] = shape->lon + dlon;
    bounds[3] = shape->lat + dlat;
}

static void zero_cells(geohash_bits *cells, int a, int b, int c)
{
    const geohash_bits zero = {0, 0};

    cells[1 + a] = zero;
    cells[1 + b] = zero;
    cells[1 + c] = zero;
}

static void cover_at(const geohash_shape *shape, int step, geohash_cover *cover)
{
    /* The center is inside the limits (the commands check it); a failed
     * encode would leave bits 0, as in Redis. */
    geohash_encode_wgs84(shape->lon, shape->lat, step, &cover->cells[0]);
    geohash_neighbors(cover->cells[0], cover->cells + 1);
    geohash_decode_wgs84(cover->cells[0], &cover->area);
}

void geohash_cover_shape(const geohash_shape *shape, geohash_cover *cover)
{
    double b[4];
    double radius;
    int step;
    int too_coarse = 0;
    geohash_area n, s, e, w;

    geohash_bounding_box(shape, b);
    if (shape->type == GEOHASH_CIRCLE) {
        radius = shape->radius;
    } else {
        /* Center to corner. */
        radius = sqrt((shape->width / 2) * (shape->width / 2) +
                      (shape->height / 2) * (shape->height / 2));
    }
    radius *= shape->conversion;
    step = steps_for_radius(radius, shape->lat);
    cover_at(shape, step, cover);

    /* Near a cell edge the neighbours may still not reach the bounding
     * box: then one step coarser. */
    geohash_decode_wgs84(cover->cells[1 + GEOHASH_N], &n);
    geohash_decode_wgs84(cover->cells[1 + GEOHASH_S], &s);
    geohash_decode_wgs84(cover->cells[1 + GEOHASH_E], &e);
    geohash_decode_wgs84(cover->cells[1 + GEOHASH_W], &w);
    if (n.lat.max < b[3] || s.lat.min > b[1] || e.lon.max < b[2] ||
        w.lon.min > b[0]) {
        too_coarse = 1;
    }
    if (step > 1 && too_coarse) {
        step--;
        cover_at(shape, step, cover);
    }

    /* Drop the rows and columns of neighbours the box can't reach. */
    if (step >= 2) {
        const geohash_area *a = &cover->area;
        if (a->lat.min < b[1]) {
            zero_cells(cover->cells, GEOHASH_S, GEOHASH_SW, GEOHASH_SE);
        }
        if (a->lat.max > b[3]) {
            zero_cells(cover->cells, GEOHASH_N, GEOHASH_NE, GEOHASH_NW);
        }
        if (a->lon.min < b[0]) {
            zero_cells(cover->cells, GEOHASH_W, GEOHASH_SW, GEOHASH_NW);
        }
        if (a->lon.max > b[2]) {
            zero_cells(cover->cells, GEOHASH_E, GEOHASH_SE, GEOHASH_NE);
        }
    }
}

int geohash_cover_ranges(const geohash_cover *cover, geohash_score_range out[9])
{
    int n = 0;
    int last = 0; /* index of the last scanned cell; 0 also means none */

    for (int i = 0; i < 9; i++) {
        geohash_bits c = cover->cells[i];
        geohash_bits next = c;

        if (c.bits == 0 && c.step == 0) {
            continue;
        }
        /* Huge areas make neighbours coincide; skip a repeat of the cell
         * just scanned (Redis compares with it only once one neighbour
         * has been scanned, never with the center). */
        if (last != 0 && c.bits == cover->cells[last].bits &&
            c.step == cover->cells[last].step) {
            continue;
        }
        next.bits++;
        out[n].min = geohash_align52(c);
        out[n].max = geohash_align52(next);
        n++;
        last = i;
    }
    return n;
}

int geohash_in_shape(const geohash_shape *shape, double lon, double lat,
                     double *dist)
{
    if (shape->type == GEOHASH_CIRCLE) {
        *dist = geohash_distance(shape->lon, shape->lat, lon, lat);
        return *dist <= shape->radius * shape->conversion;
    }
    {
        double w = shape->width * shape->conversion;
        double h = shape->height * shape->conversion;
        double dlon = geohash_distance(lon, lat, shape->lon, lat);
        double dlat = geohash_distance(lon, lat, lon, shape->lat);

        if (dlon > w / 2 || dlat > h / 2) {
            return 0;
        }
        *dist = geohash_distance(shape->lon, shape->lat, lon, lat);
        return 1;
    }
}
