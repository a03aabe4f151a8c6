// Property rows (MS-OXCDATA 2.8): the values of one table row, or of RopGetPropertiesSpecific, in the
// order of a column set the reader already knows (RopSetColumns, or the request's tag list). The
// columns are always passed in explicitly.
//
// StandardPropertyRow (2.8.1.1): Flag 0x00, then per column a PropertyValue of the column's type,
// or a TypedPropertyValue (2-byte type first) when the column's type is PtypUnspecified.
// FlaggedPropertyRow (2.8.1.2): Flag 0x01, then per column a FlaggedPropertyValue, or a
// FlaggedPropertyValueWithType for PtypUnspecified columns. A column with the MultivalueInstance
// bit carries a single value of the base type (value_type_of()).
#pragma once

#include <span>
#include <vector>

#include "rop/property_value.hpp"

namespace exmapi::rop {

struct PropertyCell {
  ValueFlag flag = ValueFlag::Present;  // always Present in a standard row
  // For PtypUnspecified columns: the PropertyType the wire carried. Decoding always fills it (for
  // Present cells it equals value.type()); encoding needs it only for Absent/Error cells, whose
  // value does not name a type. 0 for columns of a known type.
  PropType declared_type = ptyp::Unspecified;
  // Present: the value. Error: a PtypErrorCode value. Absent: PtypNull.
  PropertyValue value;
  friend bool operator==(const PropertyCell&, const PropertyCell&) = default;
};

struct PropertyRow {
  bool flagged = false;  // FlaggedPropertyRow rather than StandardPropertyRow
  std::vector<PropertyCell> cells;  // one per column
  friend bool operator==(const PropertyRow&, const PropertyRow&) = default;
};

PropertyRow decode_property_row(ByteReader& r, std::span<const PropTag> columns, CountWidth width);
void encode_property_row(ByteWriter& w, const PropertyRow& row, std::span<const PropTag> columns, CountWidth width);

// `row_count` rows back to back (RopQueryRows, RopFindRow and RopExpandRow give the count themselves).
std::vector<PropertyRow> decode_property_rows(ByteReader& r, size_t row_count, std::span<const PropTag> columns,
                                              CountWidth width);
void encode_property_rows(ByteWriter& w, std::span<const PropertyRow> rows, std::span<const PropTag> columns,
                          CountWidth width);

// PropertyRowSet (2.8.2): RowCount (2 bytes), then the rows.
std::vector<PropertyRow> decode_property_row_set(ByteReader& r, std::span<const PropTag> columns, CountWidth width);
void encode_property_row_set(ByteWriter& w, std::span<const PropertyRow> rows, std::span<const PropTag> columns,
                             CountWidth width);

// "Flagged{0x67480014 PtypInteger64 1, 0x674A0014 error 0x8004010F NotFound, ...}"
std::string describe(const PropertyRow& row, std::span<const PropTag> columns);

}  // namespace exmapi::rop
