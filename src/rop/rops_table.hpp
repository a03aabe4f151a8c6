// Table ROPs (MS-OXCROPS 2.2.5; semantics in MS-OXCTABL 2.2.2). Rows in RopQueryRows, RopFindRow
// and RopExpandRow responses follow the table's current columns (its last RopSetColumns), which the
// decoder takes from the ResponseContext.
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

constexpr std::string_view kTableColumnsNeed = "the table's columns (its last RopSetColumns)";

// Responses whose only success field is TableStatus (RopSetColumns, RopSortTable, RopRestrict,
// RopAbort, RopGetStatus).
template <RopId Id>
struct TableStatusResponse {
  static constexpr RopId kId = Id;
  uint8_t input_handle_index = 0;
  uint32_t return_value = 0;
  uint8_t table_status = 0;
  friend bool operator==(const TableStatusResponse&, const TableStatusResponse&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("InputHandleIndex", input_handle_index);
    a.return_value("ReturnValue", return_value);
    if (return_value == ec::Success) a.u8("TableStatus", table_status);
  }
};

// Responses whose only success field is a 2-byte-sized byte string (Bookmark, CollapseState).
template <RopId Id>
struct SizedBytesResponse {
  static constexpr RopId kId = Id;
  uint8_t input_handle_index = 0;
  uint32_t return_value = 0;
  Bytes data;
  friend bool operator==(const SizedBytesResponse&, const SizedBytesResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
    if constexpr (Id == RopId::GetCollapseState)
      bytes16(a, "CollapseStateSize", "CollapseState", data);
    else
      bytes16(a, "BookmarkSize", "Bookmark", data);
  }
};

// MS-OXCROPS 2.2.5.1.
struct RopSetColumns {
  static constexpr RopId kId = RopId::SetColumns;
  struct Request {
    static constexpr RopId kId = RopId::SetColumns;
    uint8_t logon_id = 0, input_handle_index = 0, set_columns_flags = 0;
    std::vector<PropTag> property_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("SetColumnsFlags", set_columns_flags);
      prop_tags16(a, "PropertyTagCount", "PropertyTags", property_tags);
    }
  };
  using Response = TableStatusResponse<RopId::SetColumns>;
};

// MS-OXCROPS 2.2.5.2. The three counts and the SortOrders form one SortOrderSet (MS-OXCDATA 2.13.2).
struct RopSortTable {
  static constexpr RopId kId = RopId::SortTable;
  struct Request {
    static constexpr RopId kId = RopId::SortTable;
    uint8_t logon_id = 0, input_handle_index = 0, sort_table_flags = 0;
    SortOrderSet sort_order_set;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("SortTableFlags", sort_table_flags);
      a.value("SortOrderSet", sort_order_set, SortOrderSetCodec{});
    }
  };
  using Response = TableStatusResponse<RopId::SortTable>;
};

// MS-OXCROPS 2.2.5.3. RestrictionDataSize 0 removes the restriction.
struct RopRestrict {
  static constexpr RopId kId = RopId::Restrict;
  struct Request {
    static constexpr RopId kId = RopId::Restrict;
    uint8_t logon_id = 0, input_handle_index = 0, restrict_flags = 0;
    std::optional<Restriction> restriction;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("RestrictFlags", restrict_flags);
      restriction16(a, "RestrictionDataSize", "RestrictionData", restriction);
    }
  };
  using Response = TableStatusResponse<RopId::Restrict>;
};

// MS-OXCROPS 2.2.5.4.
struct RopQueryRows {
  static constexpr RopId kId = RopId::QueryRows;
  struct Request {
    static constexpr RopId kId = RopId::QueryRows;
    uint8_t logon_id = 0, input_handle_index = 0, query_rows_flags = 0, forward_read = 1;
    uint16_t row_count = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("QueryRowsFlags", query_rows_flags);
      a.u8("ForwardRead", forward_read);
      a.u16("RowCount", row_count);
    }
  };
  // The rows are owned PropertyRows (Response) or stay in the response bytes (ResponseView, for
  // message lists: no allocation per row; the bytes must outlive it). One description serves both.
  template <class Rows>
  struct ResponseOf {
    static constexpr RopId kId = RopId::QueryRows;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    Columns columns;  // not on the wire: the table's columns
    uint8_t origin = 0;
    Rows rows;
    friend bool operator==(const ResponseOf& x, const ResponseOf& y) {
      return x.input_handle_index == y.input_handle_index && x.return_value == y.return_value &&
             x.origin == y.origin && x.rows == y.rows;
    }
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.from_context("RowData", columns, &ResponseContext::columns, kTableColumnsNeed);
      a.u8("Origin", origin);
      if constexpr (std::is_same_v<Rows, PropertyRowsView>) {
        size_t n = a.count16("RowCount", rows.size());
        a.value("RowData", rows, RowsViewCodec{columns.get(), n});
      } else {
        size_t n = a.count16("RowCount", rows.size());
        RowCodec codec{columns.get()};
        a.list("RowData", rows, n, 1, [&](auto& a, PropertyRow& row) { a.value("", row, codec); });
      }
    }
  };
  using Response = ResponseOf<std::vector<PropertyRow>>;
  using ResponseView = ResponseOf<PropertyRowsView>;
};

// MS-OXCROPS 2.2.5.5.
struct RopAbort {
  static constexpr RopId kId = RopId::Abort;
  EXMAPI_ROP_PLAIN_REQUEST(Abort);
  using Response = TableStatusResponse<RopId::Abort>;
};

// MS-OXCROPS 2.2.5.6.
struct RopGetStatus {
  static constexpr RopId kId = RopId::GetStatus;
  EXMAPI_ROP_PLAIN_REQUEST(GetStatus);
  using Response = TableStatusResponse<RopId::GetStatus>;
};

// MS-OXCROPS 2.2.5.7.
struct RopQueryPosition {
  static constexpr RopId kId = RopId::QueryPosition;
  EXMAPI_ROP_PLAIN_REQUEST(QueryPosition);
  struct Response {
    static constexpr RopId kId = RopId::QueryPosition;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint32_t numerator = 0, denominator = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.u32("Numerator", numerator);
      a.u32("Denominator", denominator);
    }
  };
};

// MS-OXCROPS 2.2.5.8.
struct RopSeekRow {
  static constexpr RopId kId = RopId::SeekRow;
  struct Request {
    static constexpr RopId kId = RopId::SeekRow;
    uint8_t logon_id = 0, input_handle_index = 0, origin = 0;
    int32_t row_count = 0;
    uint8_t want_row_moved_count = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("Origin", origin);
      a.i32("RowCount", row_count);
      a.u8("WantRowMovedCount", want_row_moved_count);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::SeekRow;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint8_t has_sought_less = 0;
    int32_t rows_sought = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.u8("HasSoughtLess", has_sought_less);
      a.i32("RowsSought", rows_sought);
    }
  };
};

// MS-OXCROPS 2.2.5.9.
struct RopSeekRowBookmark {
  static constexpr RopId kId = RopId::SeekRowBookmark;
  struct Request {
    static constexpr RopId kId = RopId::SeekRowBookmark;
    uint8_t logon_id = 0, input_handle_index = 0;
    Bytes bookmark;
    int32_t row_count = 0;
    uint8_t want_row_moved_count = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      bytes16(a, "BookmarkSize", "Bookmark", bookmark);
      a.i32("RowCount", row_count);
      a.u8("WantRowMovedCount", want_row_moved_count);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::SeekRowBookmark;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint8_t row_no_longer_visible = 0, has_sought_less = 0;
    int32_t rows_sought = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.u8("RowNoLongerVisible", row_no_longer_visible);
      a.u8("HasSoughtLess", has_sought_less);
      a.i32("RowsSought", rows_sought);
    }
  };
};

// MS-OXCROPS 2.2.5.10.
struct RopSeekRowFractional {
  static constexpr RopId kId = RopId::SeekRowFractional;
  struct Request {
    static constexpr RopId kId = RopId::SeekRowFractional;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint32_t numerator = 0, denominator = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u32("Numerator", numerator);
      a.u32("Denominator", denominator);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SeekRowFractional, "InputHandleIndex");
};

// MS-OXCROPS 2.2.5.11.
struct RopCreateBookmark {
  static constexpr RopId kId = RopId::CreateBookmark;
  EXMAPI_ROP_PLAIN_REQUEST(CreateBookmark);
  using Response = SizedBytesResponse<RopId::CreateBookmark>;
};

// MS-OXCROPS 2.2.5.12.
struct RopQueryColumnsAll {
  static constexpr RopId kId = RopId::QueryColumnsAll;
  EXMAPI_ROP_PLAIN_REQUEST(QueryColumnsAll);
  struct Response {
    static constexpr RopId kId = RopId::QueryColumnsAll;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::vector<PropTag> property_tags;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) prop_tags16(a, "PropertyTagCount", "PropertyTags", property_tags);
    }
  };
};

// MS-OXCROPS 2.2.5.13.
struct RopFindRow {
  static constexpr RopId kId = RopId::FindRow;
  struct Request {
    static constexpr RopId kId = RopId::FindRow;
    uint8_t logon_id = 0, input_handle_index = 0, find_row_flags = 0;
    std::optional<Restriction> restriction;
    uint8_t origin = 0;
    Bytes bookmark;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("FindRowFlags", find_row_flags);
      restriction16(a, "RestrictionDataSize", "RestrictionData", restriction);
      a.u8("Origin", origin);
      bytes16(a, "BookmarkSize", "Bookmark", bookmark);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::FindRow;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    Columns columns;  // not on the wire: the table's columns
    uint8_t row_no_longer_visible = 0, has_row_data = 0;
    PropertyRow row_data;
    friend bool operator==(const Response& x, const Response& y) {
      return x.input_handle_index == y.input_handle_index && x.return_value == y.return_value &&
             x.row_no_longer_visible == y.row_no_longer_visible && x.has_row_data == y.has_row_data &&
             x.row_data == y.row_data;
    }
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.u8("RowNoLongerVisible", row_no_longer_visible);
      a.u8("HasRowData", has_row_data);
      if (!has_row_data) return;
      a.from_context("RowData", columns, &ResponseContext::columns, kTableColumnsNeed);
      a.value("RowData", row_data, RowCodec{columns.get()});
    }
  };
};

// MS-OXCROPS 2.2.5.14.
struct RopFreeBookmark {
  static constexpr RopId kId = RopId::FreeBookmark;
  struct Request {
    static constexpr RopId kId = RopId::FreeBookmark;
    uint8_t logon_id = 0, input_handle_index = 0;
    Bytes bookmark;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      bytes16(a, "BookmarkSize", "Bookmark", bookmark);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(FreeBookmark, "InputHandleIndex");
};

// MS-OXCROPS 2.2.5.15.
struct RopResetTable {
  static constexpr RopId kId = RopId::ResetTable;
  EXMAPI_ROP_PLAIN_REQUEST(ResetTable);
  EXMAPI_ROP_PLAIN_RESPONSE(ResetTable, "InputHandleIndex");
};

// MS-OXCROPS 2.2.5.16.
struct RopExpandRow {
  static constexpr RopId kId = RopId::ExpandRow;
  struct Request {
    static constexpr RopId kId = RopId::ExpandRow;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint16_t max_row_count = 0;
    uint64_t category_id = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u16("MaxRowCount", max_row_count);
      a.u64("CategoryId", category_id);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::ExpandRow;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    Columns columns;  // not on the wire: the table's columns
    uint32_t expanded_row_count = 0;
    std::vector<PropertyRow> rows;
    friend bool operator==(const Response& x, const Response& y) {
      return x.input_handle_index == y.input_handle_index && x.return_value == y.return_value &&
             x.expanded_row_count == y.expanded_row_count && x.rows == y.rows;
    }
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.from_context("RowData", columns, &ResponseContext::columns, kTableColumnsNeed);
      a.u32("ExpandedRowCount", expanded_row_count);
      size_t n = a.count16("RowCount", rows.size());
      RowCodec codec{columns.get()};
      a.list("RowData", rows, n, 1, [&](auto& a, PropertyRow& row) { a.value("", row, codec); });
    }
  };
};

// MS-OXCROPS 2.2.5.17.
struct RopCollapseRow {
  static constexpr RopId kId = RopId::CollapseRow;
  struct Request {
    static constexpr RopId kId = RopId::CollapseRow;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint64_t category_id = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u64("CategoryId", category_id);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::CollapseRow;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint32_t collapsed_row_count = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) a.u32("CollapsedRowCount", collapsed_row_count);
    }
  };
};

// MS-OXCROPS 2.2.5.18.
struct RopGetCollapseState {
  static constexpr RopId kId = RopId::GetCollapseState;
  struct Request {
    static constexpr RopId kId = RopId::GetCollapseState;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint64_t row_id = 0;
    uint32_t row_instance_number = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u64("RowId", row_id);
      a.u32("RowInstanceNumber", row_instance_number);
    }
  };
  using Response = SizedBytesResponse<RopId::GetCollapseState>;
};

// MS-OXCROPS 2.2.5.19.
struct RopSetCollapseState {
  static constexpr RopId kId = RopId::SetCollapseState;
  struct Request {
    static constexpr RopId kId = RopId::SetCollapseState;
    uint8_t logon_id = 0, input_handle_index = 0;
    Bytes collapse_state;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      bytes16(a, "CollapseStateSize", "CollapseState", collapse_state);
    }
  };
  using Response = SizedBytesResponse<RopId::SetCollapseState>;
};

using TableRops = RopList<RopSetColumns, RopSortTable, RopRestrict, RopQueryRows, RopAbort, RopGetStatus,
                          RopQueryPosition, RopSeekRow, RopSeekRowBookmark, RopSeekRowFractional, RopCreateBookmark,
                          RopQueryColumnsAll, RopFindRow, RopFreeBookmark, RopResetTable, RopExpandRow, RopCollapseRow,
                          RopGetCollapseState, RopSetCollapseState>;

}  // namespace exmapi::rop
