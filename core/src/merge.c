/*
 * merge.c - weighted inheritance of a persona from the base identity.
 *
 * The rules are stated in helios/merge.h and, with a worked example, in
 * docs/inheritance.md.  Every function here builds a new tree from
 * borrowed inputs and never modifies them, so equal inputs always give
 * equal output.
 */
#include "helios/merge.h"

#include <math.h>
#include <string.h>

static const char *const merge_control_keys[] = {
	"base_importance",
	"specialization_level",
	"inherits_from",
};

static int merge_is_control_key(const struct hpair *p)
{
	size_t i;

	for (i = 0; i < sizeof(merge_control_keys) /
			sizeof(merge_control_keys[0]); i++) {
		if (p->key_len == strlen(merge_control_keys[i]) &&
		    !memcmp(p->key, merge_control_keys[i], p->key_len))
			return 1;
	}
	return 0;
}

/* Lookup by exact key bytes, so keys holding NUL bytes still match. */
static const struct hnode *merge_map_find(const struct hnode *map,
					  const struct hpair *want)
{
	size_t i;

	for (i = 0; i < map->u.map.len; i++) {
		const struct hpair *p = &map->u.map.items[i];

		if (p->key_len == want->key_len &&
		    !memcmp(p->key, want->key, p->key_len))
			return p->value;
	}
	return NULL;
}

double merge_weight(double base_importance, int64_t specialization_level)
{
	double level = (double)specialization_level;
	double w;

	if (specialization_level < 1 || isnan(base_importance))
		return MERGE_WEIGHT_MIN;

	w = base_importance / (level * level);
	if (w < MERGE_WEIGHT_MIN)
		return MERGE_WEIGHT_MIN;
	if (w > MERGE_WEIGHT_MAX)
		return MERGE_WEIGHT_MAX;
	return w;
}

static int merge_is_number(const struct hnode *n)
{
	return n->type == HNODE_INT || n->type == HNODE_FLOAT;
}

static long double merge_number(const struct hnode *n)
{
	return n->type == HNODE_INT ? (long double)n->u.i
				    : (long double)n->u.f;
}

/*
 * base*w + persona*(1-w).  Computed in long double so that every int64
 * is exact; two integers give an integer rounded half away from zero,
 * unless the result does not fit in int64, when it becomes a float.
 */
static struct hnode *merge_numbers(const struct hnode *base,
				   const struct hnode *persona, double w)
{
	long double lw = w;
	long double r = merge_number(base) * lw +
			merge_number(persona) * (1.0L - lw);

	if (base->type == HNODE_INT && persona->type == HNODE_INT) {
		long double q = roundl(r);

		if (q >= -9223372036854775808.0L &&
		    q < 9223372036854775808.0L)
			return hnode_new_int((int64_t)q);
	}
	return hnode_new_float((double)r);
}

/* Append a copy of item to seq unless an equal item is already there. */
static int merge_seq_add_new(struct hnode *seq, const struct hnode *item)
{
	struct hnode *copy;
	size_t i;

	for (i = 0; i < seq->u.seq.len; i++) {
		if (hnode_equal(seq->u.seq.items[i], item))
			return 0;
	}
	copy = hnode_clone(item);
	if (!copy)
		return HELIOS_ENOMEM;
	return hnode_seq_push(seq, copy);
}

static int merge_seq_add_all(struct hnode *seq, const struct hnode *from,
			     size_t start)
{
	size_t i;
	int rc;

	for (i = start; i < from->u.seq.len; i++) {
		rc = merge_seq_add_new(seq, from->u.seq.items[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The weighted interleave.  An item counts as taken when it is consumed
 * from its side, even if it is then skipped as a duplicate, so the share
 * follows the two inputs rather than what survived deduplication.  The
 * base's share before anything is taken is 0, so the base goes first
 * whenever w > 0.  Each step consumes one item: this always terminates.
 */
static int merge_seq_interleave(struct hnode *seq, const struct hnode *base,
				const struct hnode *persona, double w)
{
	size_t nb = base->u.seq.len, np = persona->u.seq.len;
	size_t bi = 0, pi = 0;
	int rc;

	while (bi < nb && pi < np) {
		size_t total = bi + pi;
		double share = total ? (double)bi / (double)total : 0.0;

		if (share < w)
			rc = merge_seq_add_new(seq, base->u.seq.items[bi++]);
		else
			rc = merge_seq_add_new(seq,
					       persona->u.seq.items[pi++]);
		if (rc)
			return rc;
	}
	rc = merge_seq_add_all(seq, base, bi);
	if (rc)
		return rc;
	return merge_seq_add_all(seq, persona, pi);
}

static struct hnode *merge_seqs(const struct hnode *base,
				const struct hnode *persona, double w)
{
	struct hnode *seq = hnode_new(HNODE_SEQ);
	int rc;

	if (!seq)
		return NULL;

	if (w > 0.7) {
		rc = merge_seq_add_all(seq, base, 0);
		if (!rc)
			rc = merge_seq_add_all(seq, persona, 0);
	} else if (w < 0.3) {
		rc = merge_seq_add_all(seq, persona, 0);
		if (!rc)
			rc = merge_seq_add_all(seq, base, 0);
	} else {
		rc = merge_seq_interleave(seq, base, persona, w);
	}

	if (rc) {
		hnode_free(seq);
		return NULL;
	}
	return seq;
}

/*
 * Key by key: the base's keys in its order, merged with the persona's
 * value where it has one, then the persona's own keys in its order.
 * With skip_control set (top level only) the control keys of both sides
 * are left out.
 */
static struct hnode *merge_maps(const struct hnode *base,
				const struct hnode *persona, double w,
				int skip_control)
{
	struct hnode *map = hnode_new(HNODE_MAP);
	size_t i;

	if (!map)
		return NULL;

	for (i = 0; i < base->u.map.len; i++) {
		const struct hpair *p = &base->u.map.items[i];
		const struct hnode *other;
		struct hnode *v;

		if (skip_control && merge_is_control_key(p))
			continue;
		other = merge_map_find(persona, p);
		v = other ? merge_values(p->value, other, w)
			  : hnode_clone(p->value);
		if (!v || hnode_map_set(map, p->key, p->key_len, v))
			goto out_free_map;
	}

	for (i = 0; i < persona->u.map.len; i++) {
		const struct hpair *p = &persona->u.map.items[i];
		struct hnode *v;

		if (skip_control && merge_is_control_key(p))
			continue;
		if (merge_map_find(base, p))
			continue;
		v = hnode_clone(p->value);
		if (!v || hnode_map_set(map, p->key, p->key_len, v))
			goto out_free_map;
	}
	return map;

out_free_map:
	hnode_free(map);
	return NULL;
}

struct hnode *merge_values(const struct hnode *base,
			   const struct hnode *persona, double w)
{
	if (!base && !persona)
		return hnode_new(HNODE_NULL);
	if (!base || base->type == HNODE_NULL)
		return persona ? hnode_clone(persona) : hnode_clone(base);
	if (!persona || persona->type == HNODE_NULL)
		return hnode_clone(base);

	if (merge_is_number(base) && merge_is_number(persona))
		return merge_numbers(base, persona, w);
	if (base->type != persona->type)
		return hnode_clone(persona);

	switch (base->type) {
	case HNODE_BOOL:
	case HNODE_STR:
		return hnode_clone(w > 0.5 ? base : persona);
	case HNODE_SEQ:
		return merge_seqs(base, persona, w);
	case HNODE_MAP:
		return merge_maps(base, persona, w, 0);
	default:
		return hnode_clone(persona);
	}
}

static const struct hnode *merge_control(const struct hnode *doc,
					 const char *key)
{
	size_t i;

	for (i = 0; i < doc->u.map.len; i++) {
		const struct hpair *p = &doc->u.map.items[i];

		if (p->key_len == strlen(key) && !memcmp(p->key, key,
							 p->key_len))
			return p->value;
	}
	return NULL;
}

/* Read and check the two control values a merge needs. */
static int merge_read_controls(const struct hnode *base,
			       const struct hnode *persona,
			       struct merge_result *out,
			       struct helios_error *err)
{
	const struct hnode *bi, *sl;

	if (!base || base->type != HNODE_MAP)
		return helios_error_set(err, HELIOS_EINVAL,
					"base identity is not a mapping");
	if (!persona || persona->type != HNODE_MAP)
		return helios_error_set(err, HELIOS_EINVAL,
					"persona is not a mapping");

	bi = merge_control(base, "base_importance");
	if (!bi)
		return helios_error_set(err, HELIOS_EINVAL,
					"base identity has no 'base_importance'");
	if (!merge_is_number(bi) || !isfinite((double)merge_number(bi)) ||
	    merge_number(bi) < 0 || merge_number(bi) > 1)
		return helios_error_at(err, HELIOS_EINVAL, bi->line, bi->col,
				       "key 'base_importance': must be a "
				       "number in [0.0, 1.0]");

	sl = merge_control(persona, "specialization_level");
	if (!sl)
		return helios_error_set(err, HELIOS_EINVAL,
					"persona has no 'specialization_level'");
	if (sl->type != HNODE_INT || sl->u.i < 1)
		return helios_error_at(err, HELIOS_EINVAL, sl->line, sl->col,
				       "key 'specialization_level': must be "
				       "an integer >= 1");

	out->base_importance = (double)merge_number(bi);
	out->specialization_level = sl->u.i;
	out->weight = merge_weight(out->base_importance,
				   out->specialization_level);
	return 0;
}

int merge_documents(const struct hnode *base, const struct hnode *persona,
		    struct merge_result *out, struct helios_error *err)
{
	const struct hnode *inherits;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = merge_read_controls(base, persona, out, err);
	if (rc)
		return rc;

	/*
	 * NEEDSWORK: inherits_from is reported, not checked: naming a persona
	 * that does not exist gives no warning, and the merge is always over
	 * the base identity.
	 */
	inherits = merge_control(persona, "inherits_from");
	if (inherits) {
		out->inherits_from = hnode_clone(inherits);
		if (!out->inherits_from)
			goto out_nomem;
	}

	out->merged = merge_maps(base, persona, out->weight, 1);
	if (!out->merged)
		goto out_free_inherits;
	return 0;

out_free_inherits:
	hnode_free(out->inherits_from);
	out->inherits_from = NULL;
out_nomem:
	return helios_error_set(err, HELIOS_ENOMEM,
				"out of memory while merging");
}

void merge_result_release(struct merge_result *r)
{
	if (!r)
		return;
	hnode_free(r->inherits_from);
	hnode_free(r->merged);
	r->inherits_from = NULL;
	r->merged = NULL;
}
