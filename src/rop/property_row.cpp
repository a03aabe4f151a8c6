#include "rop/property_row.hpp"

#include <cstdio>

namespace exmapi::rop {

namespace {

constexpr size_t kNoColumn = static_cast<size_t>(-1);

// The hot path of RopQueryRows: one switch per value, no allocation beyond the values themselves,
// no exception frame per value (the caller has one frame per row set and learns the failing
// column through `col`).
void decode_row_into(ByteReader& r, std::span<const PropTag> columns, CountWidth width, PropertyRow& row, size_t& col) {
  col = kNoColumn;
  uint8_t flag = r.u8("Flag");
  if (flag > 1) r.fail("Flag", "row flag " + std::to_string(flag) + " is neither 0x00 (standard) nor 0x01 (flagged)");
  row.flagged = flag == 1;
  row.cells.resize(columns.size());
  for (col = 0; col < columns.size(); ++col) {
    PropertyCell& c = row.cells[col];
    PropType t = value_type_of(columns[col]);
    if (t == ptyp::Unspecified) {
      c.declared_type = r.u16("PropertyType");
      t = c.declared_type;
    }
    if (!row.flagged) {
      detail::decode_value_into(r, t, width, 0, c.value);
      continue;
    }
    uint8_t f = r.u8("Flag");
    switch (f) {
      case 0x00:
        detail::decode_value_into(r, t, width, 0, c.value);
        break;
      case 0x01:
        c.flag = ValueFlag::Absent;
        break;
      case 0x0A:
        c.flag = ValueFlag::Error;
        c.value.emplace<uint64_t>(ptyp::ErrorCode, r.u32("ErrorCode"));
        break;
      default:
        r.fail("Flag", "value flag " + std::to_string(f) + " is none of 0x00, 0x01, 0x0A");
    }
  }
  col = kNoColumn;
}

void add_location(DecodeError& e, size_t col, std::span<const PropTag> columns) {
  if (col == kNoColumn) return;
  e.prepend("Columns[" + std::to_string(col) + "]=" + describe_tag(columns[col]));
}

void encode_row(ByteWriter& w, const PropertyRow& row, std::span<const PropTag> columns, CountWidth width) {
  if (row.cells.size() != columns.size())
    throw EncodeError("PropertyRow", std::to_string(row.cells.size()) + " values for " +
                                         std::to_string(columns.size()) + " columns");
  w.u8(row.flagged ? 1 : 0);
  for (size_t i = 0; i < columns.size(); ++i) {
    const PropertyCell& c = row.cells[i];
    PropType t = value_type_of(columns[i]);
    if (t == ptyp::Unspecified) {
      PropType declared = c.flag == ValueFlag::Present ? c.value.type() : c.declared_type;
      if (c.flag == ValueFlag::Present && c.declared_type != ptyp::Unspecified && c.declared_type != declared)
        throw EncodeError(describe_tag(columns[i]), "declared type differs from the value's type");
      w.u16(declared);
    } else if (c.flag == ValueFlag::Present && c.value.type() != t) {
      throw EncodeError(describe_tag(columns[i]), std::string("value of type ") +
                                                      (prop_type_name(c.value.type()) ? prop_type_name(c.value.type()) : "?") +
                                                      " in a column of another type");
    }
    if (!row.flagged) {
      if (c.flag != ValueFlag::Present)
        throw EncodeError("StandardPropertyRow", "a standard row cannot carry absent or error values");
      detail::encode_value(w, c.value, width, 0);
      continue;
    }
    w.u8(static_cast<uint8_t>(c.flag));
    switch (c.flag) {
      case ValueFlag::Present:
        detail::encode_value(w, c.value, width, 0);
        break;
      case ValueFlag::Absent:
        break;
      case ValueFlag::Error:
        if (c.value.type() != ptyp::ErrorCode) throw EncodeError(describe_tag(columns[i]), "error cell without an error code");
        w.u32(c.value.as_error_code());
        break;
      default:
        throw EncodeError(describe_tag(columns[i]), "flag is none of 0x00, 0x01, 0x0A");
    }
  }
}

}  // namespace

PropertyRow decode_property_row(ByteReader& r, std::span<const PropTag> columns, CountWidth width) {
  PropertyRow row;
  size_t col = kNoColumn;
  try {
    decode_row_into(r, columns, width, row, col);
  } catch (DecodeError& e) {
    add_location(e, col, columns);
    throw;
  }
  return row;
}

void encode_property_row(ByteWriter& w, const PropertyRow& row, std::span<const PropTag> columns, CountWidth width) {
  encode_row(w, row, columns, width);
}

std::vector<PropertyRow> decode_property_rows(ByteReader& r, size_t row_count, std::span<const PropTag> columns,
                                              CountWidth width) {
  // Every row has at least its flag byte.
  r.count(row_count, 1, "RowCount");
  std::vector<PropertyRow> rows(row_count);
  size_t i = 0, col = kNoColumn;
  try {
    for (; i < row_count; ++i) decode_row_into(r, columns, width, rows[i], col);
  } catch (DecodeError& e) {
    add_location(e, col, columns);
    e.prepend("Rows[" + std::to_string(i) + "]");
    throw;
  }
  return rows;
}

void encode_property_rows(ByteWriter& w, std::span<const PropertyRow> rows, std::span<const PropTag> columns,
                          CountWidth width) {
  for (const auto& row : rows) encode_row(w, row, columns, width);
}

std::vector<PropertyRow> decode_property_row_set(ByteReader& r, std::span<const PropTag> columns, CountWidth width) {
  size_t n = r.u16("RowCount");
  return decode_property_rows(r, n, columns, width);
}

void encode_property_row_set(ByteWriter& w, std::span<const PropertyRow> rows, std::span<const PropTag> columns,
                             CountWidth width) {
  detail::write_count(w, 2, rows.size(), "RowCount");
  encode_property_rows(w, rows, columns, width);
}

std::string describe(const PropertyRow& row, std::span<const PropTag> columns) {
  std::string out = row.flagged ? "Flagged{" : "Standard{";
  for (size_t i = 0; i < row.cells.size(); ++i) {
    if (i) out += ", ";
    if (i < columns.size()) out += describe_tag(columns[i]) + " ";
    const PropertyCell& c = row.cells[i];
    switch (c.flag) {
      case ValueFlag::Present:
        out += describe(c.value);
        break;
      case ValueFlag::Absent:
        out += "absent";
        break;
      case ValueFlag::Error:
        out += "error " + describe(c.value).substr(sizeof("PtypErrorCode"));
        break;
    }
  }
  out += '}';
  return out;
}

}  // namespace exmapi::rop
