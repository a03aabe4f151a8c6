#include "rop/property_row.hpp"

#include <algorithm>
#include <cstdio>

#include "base/error.hpp"

namespace exmapi::rop {

namespace {

constexpr size_t kNoColumn = static_cast<size_t>(-1);

// The layout of one row, walked once for both readers (owned PropertyRow and PropertyRowView): the
// row flag, then per column the optional PropertyType (PtypUnspecified columns) and the optional
// value flag. `sink` receives each cell: begin(flagged), type(col, declared) for typed cells,
// present(col, type), absent(col) and error(col, code). No exception frame per value: the caller
// has one per row set and learns the failing column through `col`.
template <class Sink>
void walk_row(ByteReader& r, std::span<const PropTag> columns, Sink& sink, size_t& col) {
  col = kNoColumn;
  uint8_t flag = r.u8("Flag");
  if (flag > 1) r.fail("Flag", "row flag " + std::to_string(flag) + " is neither 0x00 (standard) nor 0x01 (flagged)");
  bool flagged = flag == 1;
  sink.begin(flagged);
  for (col = 0; col < columns.size(); ++col) {
    PropType t = value_type_of(columns[col]);
    if (t == ptyp::Unspecified) {
      t = r.u16("PropertyType");
      sink.type(col, t);
    }
    if (!flagged) {
      sink.present(col, t);
      continue;
    }
    uint8_t f = r.u8("Flag");
    switch (f) {
      case 0x00:
        sink.present(col, t);
        break;
      case 0x01:
        sink.absent(col);
        break;
      case 0x0A:
        sink.error(col, r.u32("ErrorCode"));
        break;
      default:
        r.fail("Flag", "value flag " + std::to_string(f) + " is none of 0x00, 0x01, 0x0A");
    }
  }
  col = kNoColumn;
}

// Fills an owned PropertyRow.
struct OwnedCells {
  ByteReader& r;
  CountWidth width;
  PropertyRow& row;
  size_t columns;
  void begin(bool flagged) {
    row.flagged = flagged;
    row.cells.resize(columns);
  }
  void type(size_t col, PropType t) { row.cells[col].declared_type = t; }
  void present(size_t col, PropType t) { detail::decode_value_into(r, t, width, 0, row.cells[col].value); }
  void absent(size_t col) { row.cells[col].flag = ValueFlag::Absent; }
  void error(size_t col, uint32_t code) {
    row.cells[col].flag = ValueFlag::Error;
    row.cells[col].value.emplace<uint64_t>(ptyp::ErrorCode, code);
  }
};

void decode_row_into(ByteReader& r, std::span<const PropTag> columns, CountWidth width, PropertyRow& row, size_t& col) {
  OwnedCells sink{r, width, row, columns.size()};
  walk_row(r, columns, sink, col);
}

// Records where each value lies instead of copying it.
struct ViewCells {
  ByteReader& r;
  CountWidth width;
  std::span<CellView> cells;
  PropertyValue& scratch;
  bool flagged = false;
  void begin(bool f) {
    flagged = f;
    for (CellView& c : cells) c = CellView{};
  }
  void type(size_t col, PropType t) { cells[col].type = t; }
  void present(size_t col, PropType t) {
    CellView& c = cells[col];
    c.type = t;
    switch (t) {
      case ptyp::Null:
        return;
      case ptyp::Boolean:
        c.bits = r.u8("Boolean");
        return;
      case ptyp::Integer16:
        c.bits = r.u16("Integer16");
        return;
      case ptyp::Integer32:
      case ptyp::Floating32:
      case ptyp::ErrorCode:
        c.bits = r.u32("Value");
        return;
      case ptyp::Floating64:
      case ptyp::Currency:
      case ptyp::FloatingTime:
      case ptyp::Integer64:
      case ptyp::Time:
        c.bits = r.u64("Value");
        return;
      case ptyp::String:
        c.data = read_utf16z_units(r, "String");
        return;
      case ptyp::String8:
        c.data = read_str8z_bytes(r, "String8");
        return;
      case ptyp::Binary: {
        size_t n = detail::read_count(r, count_size(width), "COUNT");
        c.data = r.bytes(n, "Binary");
        return;
      }
      case ptyp::Guid:
        c.data = r.bytes(16, "Guid");
        return;
      default: {
        // Rare in tables: checked by the owned decoder, kept as their wire bytes.
        ByteView before = r.rest();
        detail::decode_value_into(r, t, width, 0, scratch);
        c.data = before.first(before.size() - r.remaining());
      }
    }
  }
  void absent(size_t col) { cells[col].flag = ValueFlag::Absent; }
  void error(size_t col, uint32_t code) {
    cells[col].flag = ValueFlag::Error;
    cells[col].bits = code;
  }
};

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

// Reads `row_count` rows, each through `read_row(i, col)`, naming the failing row and column.
template <class ReadRow>
void read_rows(ByteReader& r, size_t row_count, std::span<const PropTag> columns, std::string_view list_name,
               ReadRow&& read_row) {
  // Every row has at least its flag byte. Inside a ROP the count belongs to the enclosing field.
  r.count(row_count, 1, list_name.empty() ? "" : "RowCount");
  size_t i = 0, col = kNoColumn;
  try {
    for (; i < row_count; ++i) read_row(i, col);
  } catch (DecodeError& e) {
    add_location(e, col, columns);
    e.prepend("[" + std::to_string(i) + "]");
    e.prepend(list_name);
    throw;
  }
}

std::vector<PropertyRow> decode_property_rows(ByteReader& r, size_t row_count, std::span<const PropTag> columns,
                                              CountWidth width) {
  std::vector<PropertyRow> rows;
  read_rows(r, row_count, columns, "Rows", [&](size_t i, size_t& col) {
    if (i == 0) rows.resize(row_count);
    decode_row_into(r, columns, width, rows[i], col);
  });
  return rows;
}

void PropertyRowsView::decode(ByteReader& r, size_t row_count, std::span<const PropTag> columns, CountWidth width,
                              std::string_view list_name) {
  cells_.clear();
  flagged_.clear();
  columns_.assign(columns.begin(), columns.end());
  width_ = width;
  size_t n = columns.size();
  read_rows(r, row_count, columns, list_name, [&](size_t i, size_t& col) {
    cells_.resize((i + 1) * n);
    ViewCells sink{r, width, std::span<CellView>(cells_).subspan(i * n, n), scratch_};
    walk_row(r, columns, sink, col);
    flagged_.push_back(sink.flagged ? 1 : 0);
  });
}

std::span<const CellView> PropertyRowsView::row(size_t i) const {
  if (i >= size()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "row " + std::to_string(i) + " of " + std::to_string(size()));
  return std::span<const CellView>(cells_).subspan(i * columns_.size(), columns_.size());
}

std::string CellView::text() const {
  if (flag == ValueFlag::Present && type == ptyp::String) return utf16le_to_utf8(data);
  if (flag == ValueFlag::Present && type == ptyp::String8) return std::string(data.begin(), data.end());
  throw Error(EXMAPI_E_INVALID_ARGUMENT, "the cell holds no string value");
}

PropertyValue PropertyRowsView::value(const CellView& c) const {
  if (c.flag == ValueFlag::Absent) return PropertyValue::null();
  if (c.flag == ValueFlag::Error) return PropertyValue::error_code(static_cast<uint32_t>(c.bits));
  switch (c.type) {
    case ptyp::Null:
      return PropertyValue::null();
    case ptyp::String:
      return PropertyValue::string(c.text());
    case ptyp::String8:
      return PropertyValue::string8(c.text());
    case ptyp::Binary:
      return PropertyValue::binary(Bytes(c.data.begin(), c.data.end()));
    case ptyp::Guid: {
      ByteReader g(c.data);
      return PropertyValue::guid(Guid::read(g, "Guid"));
    }
    default:
      if (c.data.empty()) return PropertyValue::from_bits(c.type, c.bits);
      ByteReader v(c.data);
      return decode_property_value(v, c.type, width_);
  }
}

PropertyRow PropertyRowsView::to_row(size_t i) const {
  PropertyRow out;
  out.flagged = flagged(i);
  std::span<const CellView> cells = row(i);
  for (size_t col = 0; col < cells.size(); ++col) {
    const CellView& c = cells[col];
    PropertyCell cell;
    cell.flag = c.flag;
    if (value_type_of(columns_[col]) == ptyp::Unspecified) cell.declared_type = c.type;
    cell.value = value(c);
    out.cells.push_back(std::move(cell));
  }
  return out;
}

bool operator==(const PropertyRowsView& a, const PropertyRowsView& b) {
  if (a.columns_ != b.columns_ || a.flagged_ != b.flagged_ || a.cells_.size() != b.cells_.size()) return false;
  for (size_t i = 0; i < a.cells_.size(); ++i) {
    const CellView &x = a.cells_[i], &y = b.cells_[i];
    if (x.flag != y.flag || x.type != y.type || x.bits != y.bits || !std::ranges::equal(x.data, y.data)) return false;
  }
  return true;
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
