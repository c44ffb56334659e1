/*
 * time.c — millisecond timestamps, dates and times of day in the text form
 * KDA prints (`yyyy-MM-dd HH:mm:ss.SSS`), with proleptic Gregorian calendar
 * arithmetic (Howard Hinnant's days_from_civil / civil_from_days).
 */
#include <stdio.h>

#include "core/core.h"

int32_t core_days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + (int64_t)doe - 719468);
}

void core_civil_from_days(int32_t days, int64_t *year, unsigned *month, unsigned *day) {
  int64_t z = (int64_t)days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dm[m - 1];
}

size_t core_date_format(int32_t days, char buf[CORE_TIMESTAMP_TEXT]) {
  int64_t y;
  unsigned m, d;
  core_civil_from_days(days, &y, &m, &d);
  return (size_t)snprintf(buf, CORE_TIMESTAMP_TEXT, "%04lld-%02u-%02u", (long long)y, m, d);
}

size_t core_time_format(int32_t ms, char buf[CORE_TIMESTAMP_TEXT]) {
  return (size_t)snprintf(buf, CORE_TIMESTAMP_TEXT, "%02d:%02d:%02d.%03d", ms / 3600000,
                          ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

size_t core_timestamp_format(int64_t ms, char buf[CORE_TIMESTAMP_TEXT]) {
  int64_t days = core_floor_div(ms, 86400000);
  size_t n = core_date_format((int32_t)days, buf);
  buf[n++] = ' ';
  return n + core_time_format((int32_t)(ms - days * 86400000), buf + n);
}

/* Reads exactly `width` digits at s[*i]. */
static bool digits(const char *s, size_t n, size_t *i, int width, int *out) {
  int v = 0;
  for (int k = 0; k < width; k++, (*i)++) {
    if (*i >= n || s[*i] < '0' || s[*i] > '9') return false;
    v = v * 10 + (s[*i] - '0');
  }
  *out = v;
  return true;
}

static bool parse_date_at(const char *s, size_t n, size_t *i, int32_t *days) {
  int y, m, d;
  if (!digits(s, n, i, 4, &y) || *i >= n || s[(*i)++] != '-' || !digits(s, n, i, 2, &m) ||
      *i >= n || s[(*i)++] != '-' || !digits(s, n, i, 2, &d))
    return false;
  if (m < 1 || m > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)m)) return false;
  *days = core_days_from_civil(y, (unsigned)m, (unsigned)d);
  return true;
}

static bool parse_time_at(const char *s, size_t n, size_t *i, int32_t *ms) {
  int h, mi, sec = 0, frac = 0;
  if (!digits(s, n, i, 2, &h) || *i >= n || s[(*i)++] != ':' || !digits(s, n, i, 2, &mi))
    return false;
  if (*i < n && s[*i] == ':') {
    (*i)++;
    if (!digits(s, n, i, 2, &sec)) return false;
    if (*i < n && s[*i] == '.') {
      (*i)++;
      int nd = 0;
      while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
        if (nd < 3) frac = frac * 10 + (s[*i] - '0');
        nd++;
        (*i)++;
      }
      if (nd == 0 || nd > 9) return false;
      for (int k = nd; k < 3; k++) frac *= 10;
    }
  }
  if (h > 23 || mi > 59 || sec > 59) return false;
  *ms = ((h * 60 + mi) * 60 + sec) * 1000 + frac;
  return true;
}

int core_date_parse(const char *s, size_t n, int32_t *days) {
  size_t i = 0;
  return parse_date_at(s, n, &i, days) && i == n ? SLUICE_OK : SLUICE_INVALID;
}

int core_time_parse(const char *s, size_t n, int32_t *ms) {
  size_t i = 0;
  return parse_time_at(s, n, &i, ms) && i == n ? SLUICE_OK : SLUICE_INVALID;
}

int core_timestamp_parse(const char *s, size_t n, int64_t *ms) {
  size_t i = 0;
  int32_t days, tod = 0;
  if (!parse_date_at(s, n, &i, &days)) return SLUICE_INVALID;
  if (i < n && (s[i] == ' ' || s[i] == 'T')) {
    i++;
    if (!parse_time_at(s, n, &i, &tod)) return SLUICE_INVALID;
  }
  if (i < n && s[i] == 'Z') i++;
  if (i != n) return SLUICE_INVALID;
  *ms = (int64_t)days * 86400000 + tod;
  return SLUICE_OK;
}
