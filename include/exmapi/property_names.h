#ifndef EXMAPI_PROPERTY_NAMES_H
#define EXMAPI_PROPERTY_NAMES_H

/**
 * @file exmapi/property_names.h
 * @brief Canonical names of property tags (PidTag*, MetaTag*) and property types (Ptyp*), both ways.
 *
 * Names come from MS-OXPROPS/MS-OXCDATA via the library's generated tables. All returned strings are
 * static; the lookups allocate nothing and are safe from any thread.
 */

#include "common.h"
#include "errors.h"

EXMAPI_BEGIN_DECL

/**
 * Canonical name of a property tag, for example "PidTagSubject" for 0x0037001F.
 * @return the name, or NULL when the exact tag (ID and type) is not in the table.
 */
EXMAPI_EXTERN(const char *) exmapi_property_tag_name(uint32_t tag);

/**
 * Writes a tag as the library prints it: the canonical name ("PidTagSubject"), the name of the
 * property ID with the actual type when only the type differs from the table's
 * ("PidTagSubject (PtypString8)"), or hexadecimal ("0x12340003"; also every tag with an ID from
 * 0x8000 that is not exactly in the table, since such IDs number named properties in a mailbox).
 * exmapi_property_tag_from_name()
 * reads every one of these forms back to the same tag.
 *
 * Like snprintf: writes at most @p buf_size bytes including the terminating NUL (nothing when
 * @p buf_size is 0, and then @p buf may be NULL).
 * @return the length of the full text without the NUL; a result >= @p buf_size means it was cut.
 */
EXMAPI_EXTERN(size_t) exmapi_property_tag_format(char *buf, size_t buf_size, uint32_t tag);

/**
 * Reads a property tag back from text.
 *
 * Accepts a canonical name ("PidTagSubject"), a name with an explicit type as the library prints
 * tags whose type differs from the table's ("PidTagSubject (PtypString8)",
 * "PidTagX (PtypMultipleString|MultivalueInstance)", "PidTagX (0x0123)"), or hexadecimal
 * ("0x0037001F").
 *
 * @param[out] out receives the tag; untouched on failure.
 * @param name     NUL-terminated text.
 * @return EXMAPI_OK, or EXMAPI_E_INVALID_ARGUMENT when @p out or @p name is NULL or the text names
 *         no tag.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_property_tag_from_name(uint32_t *out, const char *name);

/**
 * Name of a property type, for example "PtypString" for 0x001F.
 * @return the name, or NULL for a value that is not a type of MS-OXCDATA 2.11.1 (including types
 *         carrying the MultivalueInstance flag 0x2000).
 */
EXMAPI_EXTERN(const char *) exmapi_property_type_name(uint16_t type);

EXMAPI_END_DECL

#endif
