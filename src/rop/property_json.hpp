// JSON renderings of the MS-OXCDATA value structures, for the ROP Printer (rop_codec.hpp) and so for
// `exmapi decode` and exmapi_rop_decode().
//
// The shapes (stable; docs/decode.md describes them for consumers):
// - a property tag is a string as format_property_tag() writes it: the canonical name
//   ("PidTagSubject"), the name with its actual type when only the type differs from the table's
//   ("PidTagSubject (PtypString8)"), or eight hex digits ("0x80080003"). property_tag_from_name()
//   reads every form back, so no information is lost and no sibling hex field is needed;
// - a value is a JSON value by type: integers and floats as numbers (Currency as a decimal number
//   with four places; a float that is NaN or infinite as the string "NaN"/"Infinity"/"-Infinity"),
//   PtypBoolean as true/false, PtypTime as an ISO-8601 UTC string, PtypErrorCode as its name
//   ("NotFound", or "0x8004ABCD" when unnamed), PtypGuid as "{...}", PtypBinary as lowercase hex,
//   strings as strings (an 8-bit string's bytes outside ASCII that are not UTF-8 become U+FFFD),
//   PtypServerId as an object, PtypRestriction as a restriction (below), PtypRuleAction as its
//   one-line description, and multi-valued types as arrays of the element form;
// - a TaggedPropertyValue is {"Tag":..., "Type":"PtypString", "Value":...};
// - a row is {"Flagged":bool, "Values":[cell...]}, a cell being {"Tag","Type","Value"} plus, in a
//   flagged row, "Flag":"Present"|"Absent"|"Error" (an Absent cell has no Type and no Value);
// - a restriction is {"RestrictType":"And"|"Or"|..., then its fields}: "Restrictions" (And, Or),
//   "Restriction" (Not, SubObject, Count, Comment when present), "RelOp"/"BitmapRelOp" by name,
//   "Tag"/"Tag1"/"Tag2"/"SubObject" as tags, "TaggedValue(s)" as above, numbers as numbers.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "rop/property_problem.hpp"
#include "rop/property_row.hpp"
#include "rop/property_value.hpp"
#include "rop/restriction.hpp"
#include "rop/sort_order.hpp"

namespace exmapi::rop {

std::string property_tag_json(PropTag tag);
std::string property_value_json(const PropertyValue& v);
std::string tagged_value_json(const TaggedPropertyValue& v);
std::string restriction_json(const Restriction& r);
std::string property_row_json(const PropertyRow& row, std::span<const PropTag> columns);
// {"CategorizedCount":n,"ExpandedCount":n,"SortOrders":[{"Tag":...,"Order":"Ascending"}]}
std::string sort_order_set_json(const SortOrderSet& set);
// [{"Index":n,"Tag":...,"ErrorCode":"NotFound"}]
std::string property_problems_json(const std::vector<PropertyProblem>& problems);

namespace detail {
// A JSON string literal of text that may hold invalid UTF-8 (replaced by U+FFFD, so the output is
// always valid JSON).
void append_json_text(std::string& out, std::string_view text);
// The name of a status (library or MAPI) or its eight hex digits.
std::string status_text(uint32_t code);
}  // namespace detail

}  // namespace exmapi::rop
