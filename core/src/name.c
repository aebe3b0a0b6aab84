/*
 * name.c - the rules for persona names.
 *
 * A persona name becomes a file name inside the store, so it is checked
 * byte by byte and refused, never repaired: 1-64 bytes of [A-Za-z0-9._-],
 * not starting with '.' (which also rules out "." and "..").
 */
#include "helios/validate.h"
#include "yaml_i.h"

#include <string.h>

#define PERSONA_EXT ".yaml"

static int name_byte_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static int check_name(const char *name, size_t len, struct helios_error *err)
{
	char shown[YAML__MSG_STR_SIZE];
	size_t i;

	if (!len)
		return helios_error_set(err, HELIOS_ENAME,
					"persona name is empty");
	yaml__msg_str(name, len, shown, sizeof(shown));
	if (len > HNAME_MAX)
		return helios_error_set(err, HELIOS_ENAME,
					"persona name '%s' is %zu bytes, "
					"longer than %d bytes", shown, len,
					HNAME_MAX);
	if (name[0] == '.')
		return helios_error_set(err, HELIOS_ENAME,
					"persona name '%s' starts with '.'",
					shown);

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (name_byte_ok(c))
			continue;
		if (c == '/')
			return helios_error_set(err, HELIOS_ENAME,
						"persona name '%s' contains "
						"'/'; a name is one path "
						"component", shown);
		if (c < 0x20 || c == 0x7F)
			return helios_error_set(err, HELIOS_ENAME,
						"persona name '%s' contains "
						"a control character (0x%02x)",
						shown, c);
		if (c >= 0x80)
			return helios_error_set(err, HELIOS_ENAME,
						"persona name '%s' contains "
						"a non-ASCII byte (0x%02x); "
						"use A-Z, a-z, 0-9, '-', '_' "
						"and '.'", shown, c);
		return helios_error_set(err, HELIOS_ENAME,
					"persona name '%s' contains '%c'; "
					"use A-Z, a-z, 0-9, '-', '_' and '.'",
					shown, c);
	}
	return 0;
}

int hname_check_persona(const char *name, struct helios_error *err)
{
	if (!name)
		return helios_error_set(err, HELIOS_ENAME,
					"persona name is empty");
	return check_name(name, strlen(name), err);
}

int hname_check_persona_file(const char *filename, struct helios_error *err)
{
	size_t len, ext = strlen(PERSONA_EXT);
	char shown[YAML__MSG_STR_SIZE];

	if (!filename)
		return helios_error_set(err, HELIOS_ENAME,
					"persona file name is empty");
	len = strlen(filename);
	if (len < ext || strcmp(filename + len - ext, PERSONA_EXT)) {
		yaml__msg_str(filename, len, shown, sizeof(shown));
		return helios_error_set(err, HELIOS_ENAME,
					"persona file name '%s' does not end "
					"in '%s'", shown, PERSONA_EXT);
	}
	return check_name(filename, len - ext, err);
}
