/*
 * yaml_scalar.c - how plain scalars resolve, by YAML 1.2 and by YAML 1.1.
 *
 * The YAML 1.2 core schema decides the type of every plain scalar Helios
 * reads.  The YAML 1.1 rules are only consulted to warn about text that
 * older tools (PyYAML, many editors' plugins) would read as something
 * else, such as `yes` or `010`.
 */
#include "yaml_i.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int one_of(const char *s, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == len && !memcmp(*words, s, len))
			return 1;
	return 0;
}

static const char *const null_words[] = { "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "true", "True", "TRUE", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", NULL };

/* Count of leading bytes of s[0..len) that satisfy ok(). */
static size_t span(const char *s, size_t len, int (*ok)(char))
{
	size_t n = 0;

	while (n < len && ok(s[n]))
		n++;
	return n;
}

static int is_octal(char c)
{
	return c >= '0' && c <= '7';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_digit_or_us(char c)
{
	return is_digit(c) || c == '_';
}

/*
 * Parse digits of the given base into an unsigned value no larger than
 * max.  Returns 0, or -1 when the value does not fit.
 */
static int parse_unsigned(const char *s, size_t len, unsigned base,
			  uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned d;

		if (is_digit(s[i]))
			d = (unsigned)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else
			d = (unsigned)(s[i] - 'A' + 10);
		if (v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/*
 * [-+]? ( . [0-9]+ | [0-9]+ ( . [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
 * which also matches plain integers; callers test for those first.
 */
static int is_core_float(const char *s, size_t len)
{
	size_t i = 0, n;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	n = span(s + i, len - i, is_digit);
	i += n;
	if (i < len && s[i] == '.') {
		size_t frac = span(s + i + 1, len - i - 1, is_digit);

		if (!n && !frac)
			return 0;
		i += 1 + frac;
	} else if (!n) {
		return 0;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		n = span(s + i, len - i, is_digit);
		if (!n)
			return 0;
		i += n;
	}
	return i == len;
}

static int resolve_int(const char *s, size_t len, struct yaml__scalar *res)
{
	int neg = 0;
	uint64_t v;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		int hex = s[1] == 'x';

		if (span(s + 2, len - 2, hex ? is_hex : is_octal) != len - 2)
			return 0;
		res->type = HNODE_INT;
		if (parse_unsigned(s + 2, len - 2, hex ? 16 : 8, INT64_MAX, &v))
			res->out_of_range = 1;
		else
			res->i = (int64_t)v;
		return 1;
	}

	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len || span(s + i, len - i, is_digit) != len - i)
		return 0;

	res->type = HNODE_INT;
	if (parse_unsigned(s + i, len - i, 10, (uint64_t)INT64_MAX + neg, &v))
		res->out_of_range = 1;
	else if (neg)
		res->i = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		res->i = (int64_t)v;
	return 1;
}

static int resolve_float(const char *s, size_t len, struct yaml__scalar *res)
{
	static const char *const inf_words[] = { ".inf", ".Inf", ".INF", NULL };
	static const char *const nan_words[] = { ".nan", ".NaN", ".NAN", NULL };
	const char *t = s;
	size_t tlen = len;
	double sign = 1.0;

	if (tlen && (t[0] == '-' || t[0] == '+')) {
		sign = t[0] == '-' ? -1.0 : 1.0;
		t++;
		tlen--;
	}
	if (one_of(t, tlen, inf_words)) {
		res->type = HNODE_FLOAT;
		res->f = sign * INFINITY;
		return 1;
	}
	if (one_of(s, len, nan_words)) {
		res->type = HNODE_FLOAT;
		res->f = NAN;
		return 1;
	}
	if (!is_core_float(s, len))
		return 0;

	/* The caller guarantees s[len] == '\0', so strtod stops there. */
	res->type = HNODE_FLOAT;
	errno = 0;
	res->f = strtod(s, NULL);
	if (errno == ERANGE && isinf(res->f))
		res->out_of_range = 1;
	return 1;
}

void yaml__resolve_plain(const char *s, size_t len, struct yaml__scalar *res)
{
	memset(res, 0, sizeof(*res));
	res->type = HNODE_STR;

	if (!len || one_of(s, len, null_words)) {
		res->type = HNODE_NULL;
	} else if (one_of(s, len, true_words)) {
		res->type = HNODE_BOOL;
		res->b = 1;
	} else if (one_of(s, len, false_words)) {
		res->type = HNODE_BOOL;
	} else if (!resolve_int(s, len, res)) {
		resolve_float(s, len, res);
	}
}

/*
 * [1-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)? - YAML 1.1 base 60, such as
 * 1:30 or 190:20:30.15.
 */
static int is_sexagesimal(const char *s, size_t len)
{
	size_t i, n, groups = 0;

	if (!len || s[0] < '1' || s[0] > '9')
		return 0;
	i = span(s, len, is_digit_or_us);
	while (i < len && s[i] == ':') {
		i++;
		n = span(s + i, len - i, is_digit);
		if (n < 1 || n > 2 || (n == 2 && s[i] > '5'))
			return 0;
		i += n;
		groups++;
	}
	if (!groups)
		return 0;
	if (i < len && s[i] == '.')
		i += 1 + span(s + i + 1, len - i - 1, is_digit_or_us);
	return i == len;
}

/*
 * YAML 1.1 float: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?
 * A dot is required and an exponent needs its sign.
 */
static int is_yaml11_float(const char *s, size_t len)
{
	size_t i = 0, n;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i < len && is_digit(s[i]))
		i += span(s + i, len - i, is_digit_or_us);
	if (i >= len || s[i] != '.')
		return 0;
	i++;
	i += span(s + i, len - i, is_digit_or_us);
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i >= len || (s[i] != '-' && s[i] != '+'))
			return 0;
		i++;
		n = span(s + i, len - i, is_digit);
		if (!n)
			return 0;
		i += n;
	}
	return i == len;
}

/* What YAML 1.1 makes of an unsigned numeric body (sign removed). */
static const char *yaml11_number(const char *b, size_t blen,
				 enum hnode_type t12)
{
	int has_us = memchr(b, '_', blen) != NULL;

	if (blen > 2 && b[0] == '0' && b[1] == 'b' &&
	    span(b + 2, blen - 2, is_digit_or_us) == blen - 2)
		return "a binary integer";
	if (blen > 2 && b[0] == '0' && b[1] == 'x' &&
	    span(b + 2, blen - 2, is_hex) != blen - 2)
		return has_us ? "a hexadecimal integer" : NULL;
	if (span(b, blen, is_digit_or_us) == blen) {
		if (has_us)
			return "a number";
		if (blen > 1 && b[0] == '0')
			return span(b, blen, is_octal) == blen ?
				"an octal integer" : "a string";
		return NULL;
	}
	if (t12 == HNODE_STR && has_us && is_yaml11_float(b, blen))
		return "a float";
	return NULL;
}

const char *yaml__yaml11_reading(const char *s, size_t len)
{
	static const char *const bool11[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"on", "On", "ON", "off", "Off", "OFF", NULL
	};
	struct yaml__scalar r;
	const char *b = s;
	size_t blen = len;
	const char *num;

	if (one_of(s, len, bool11))
		return "a boolean";
	if (is_sexagesimal(s, len) ||
	    (len > 1 && (s[0] == '-' || s[0] == '+') &&
	     is_sexagesimal(s + 1, len - 1)))
		return "a base-60 number";

	yaml__resolve_plain(s, len, &r);
	if (blen && (b[0] == '-' || b[0] == '+')) {
		b++;
		blen--;
	}
	/* 1.2 has no sign on hex or octal; 1.1 allows one on hex. */
	if (b != s && blen > 2 && b[0] == '0' && b[1] == 'x' &&
	    span(b + 2, blen - 2, is_hex) == blen - 2)
		return "an integer";
	if (r.type == HNODE_INT && blen > 2 && b[0] == '0' && b[1] == 'o')
		return "a string";
	num = yaml11_number(b, blen, r.type);
	if (num)
		return num;
	if (r.type == HNODE_FLOAT && !isinf(r.f) && !isnan(r.f) &&
	    !is_yaml11_float(s, len))
		return "a string";
	return NULL;
}

void yaml__format_float(double v, char *out, size_t size)
{
	char tmp[40], *e;
	int p, exp10;

	if (isnan(v)) {
		snprintf(out, size, ".nan");
		return;
	}
	if (isinf(v)) {
		snprintf(out, size, v < 0 ? "-.inf" : ".inf");
		return;
	}
	for (p = 1; p < 17; p++) {
		double back;

		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
		back = strtod(tmp, NULL);
		if (!memcmp(&back, &v, sizeof(v)))
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
	e = strchr(tmp, 'e');
	exp10 = atoi(e + 1);

	/*
	 * Plain decimals for ordinary magnitudes, exponents otherwise; the
	 * same p significant digits either way.  A '.' is always present so
	 * the text reads back as a float in YAML 1.2 and YAML 1.1 alike.
	 */
	if (exp10 >= -5 && exp10 < 16) {
		int decimals = p - 1 - exp10 > 0 ? p - 1 - exp10 : 0;

		snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
		snprintf(out, size, "%s%s", tmp, decimals ? "" : ".0");
	} else if (p == 1) {
		snprintf(out, size, "%.*s.0%s", (int)(e - tmp), tmp, e);
	} else {
		snprintf(out, size, "%s", tmp);
	}
}

void yaml__msg_str(const char *s, size_t len, char *out, size_t size)
{
	size_t i, o = 0;

	if (!size)
		return;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int cont = (c & 0xC0) == 0x80;

		/* Cut at about 60 bytes, never inside a UTF-8 sequence. */
		if (i >= 60 && !cont) {
			if (o + 4 > size)
				break;
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7F || c == '\\') {
			if (o + 5 > size)
				break;
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		} else {
			if (o + 2 > size)
				break;
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}
