/*
 * merge.h - weighted inheritance of a persona from the base identity.
 *
 *	weight = base_importance / specialization_level^2, clamped [0.01, 1.0]
 *
 * The merged configuration is the deep merge of the whole base document
 * with the whole persona document, minus the control keys
 * (base_importance, specialization_level, inherits_from), which are
 * reported in struct merge_result instead.  Rules, recursively:
 *  - a key on one side only, or null on one side: the other side's value;
 *  - two mappings: key by key; base keys in base order, then the
 *    persona's new keys in persona order;
 *  - two numbers: base*w + persona*(1-w); an integer only when both are
 *    integers (rounded half away from zero), else a float;
 *  - two strings or two booleans: base when w > 0.5, else persona;
 *  - two sequences: w > 0.7 base items then new persona items; w < 0.3
 *    the reverse; otherwise a weighted interleave (next base item while
 *    the base's share of items taken is below w, else next persona item),
 *    never repeating an item already present;
 *  - different types: the persona's value.
 * Deterministic: equal inputs give equal trees.
 */
#ifndef HELIOS_MERGE_H
#define HELIOS_MERGE_H

#include <stdint.h>

#include "helios/yaml.h"

#define MERGE_WEIGHT_MIN 0.01
#define MERGE_WEIGHT_MAX 1.0

struct merge_result {
	double base_importance;
	int64_t specialization_level;
	double weight;			/* inheritance weight, clamped */
	struct hnode *inherits_from;	/* copy of the persona's key or NULL */
	struct hnode *merged;		/* the merged mapping (owned) */
};

/* The clamped weight; level must be >= 1. */
double merge_weight(double base_importance, int64_t specialization_level);

/*
 * Merge two validated documents (base and persona roots are mappings
 * holding their control keys).  On success fills *out (release with
 * merge_result_release()).  HELIOS_EINVAL when a control key is missing
 * or mistyped, HELIOS_ENOMEM.
 */
int merge_documents(const struct hnode *base, const struct hnode *persona,
		    struct merge_result *out, struct helios_error *err);

/* The merge rule alone, on any two values with a given weight. */
struct hnode *merge_values(const struct hnode *base,
			   const struct hnode *persona, double w);

void merge_result_release(struct merge_result *r);

#endif
