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

// ---- zero-copy rows ------------------------------------------------------------------------------------
// Table rows arrive by the thousand (RopQueryRows of a message list): PropertyRowsView checks them
// with the same rules as decode_property_rows() but leaves strings and binaries in the response
// bytes, so reading a row set costs no allocation per row or per value; the caller converts only
// what it shows. A view reused for the next buffer keeps its storage. The bytes it was decoded from
// must outlive it.
struct CellView {
  ValueFlag flag = ValueFlag::Present;
  PropType type = ptyp::Null;  // the value's type (for a PtypUnspecified column, the one on the wire)
  uint64_t bits = 0;           // fixed-size scalars as raw wire bits; an Error cell's error code
  // PtypString: the UTF-16LE units without terminator; PtypString8: the bytes without NUL;
  // PtypBinary: the bytes after COUNT; PtypGuid: its 16 bytes; multi-valued and structured types
  // (ServerId, Restriction, RuleAction): the whole value as on the wire, for PropertyRowsView::value().
  ByteView data;
  // PtypString as UTF-8, PtypString8 as its raw bytes; throws Error for other types.
  std::string text() const;
};

class PropertyRowsView {
 public:
  // Reads `row_count` rows against `columns` (see decode_property_rows for the rules and errors; an
  // error names the row as `list_name`[i], or as [i] after its enclosing field when the name is empty).
  void decode(ByteReader& r, size_t row_count, std::span<const PropTag> columns, CountWidth width,
              std::string_view list_name = "Rows");

  size_t size() const noexcept { return flagged_.size(); }
  size_t column_count() const noexcept { return columns_.size(); }
  bool flagged(size_t row) const { return flagged_.at(row) != 0; }
  std::span<const CellView> row(size_t i) const;
  // An owned copy of one cell's value (PtypNull for Absent, PtypErrorCode for Error) or row.
  PropertyValue value(const CellView& cell) const;
  PropertyRow to_row(size_t i) const;

  // Same rows, cell by cell (values compare by their wire bytes).
  friend bool operator==(const PropertyRowsView& a, const PropertyRowsView& b);

 private:
  std::vector<CellView> cells_;  // row-major, one per column per row
  std::vector<uint8_t> flagged_;
  std::vector<PropTag> columns_;
  CountWidth width_ = CountWidth::Narrow;
  PropertyValue scratch_;  // structured values are checked by decoding them here once
};

// "Flagged{0x67480014 PtypInteger64 1, 0x674A0014 error 0x8004010F NotFound, ...}"
std::string describe(const PropertyRow& row, std::span<const PropTag> columns);

}  // namespace exmapi::rop
