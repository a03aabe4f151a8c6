// Stream ROPs (MS-OXCROPS 2.2.9; semantics in MS-OXCPRPT 2.2.14-2.2.27).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

// MS-OXCROPS 2.2.9.1.
struct RopOpenStream {
  static constexpr RopId kId = RopId::OpenStream;
  struct Request {
    static constexpr RopId kId = RopId::OpenStream;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0;
    PropTag property_tag = 0;
    uint8_t open_mode_flags = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      a.prop_tag("PropertyTag", property_tag);
      a.u8("OpenModeFlags", open_mode_flags);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::OpenStream;
    uint8_t output_handle_index = 0;
    uint32_t return_value = 0;
    uint32_t stream_size = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("OutputHandleIndex", output_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) a.u32("StreamSize", stream_size);
    }
  };
};

// MS-OXCROPS 2.2.9.2. ByteCount 0xBABE means "up to MaximumByteCount", which then follows. The
// response carries DataSize and Data whatever the ReturnValue (a failed read returns what it read).
constexpr uint16_t kReadStreamUseMaximum = 0xBABE;
struct RopReadStream {
  static constexpr RopId kId = RopId::ReadStream;
  struct Request {
    static constexpr RopId kId = RopId::ReadStream;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint16_t byte_count = 0;
    uint32_t maximum_byte_count = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u16("ByteCount", byte_count);
      if (byte_count == kReadStreamUseMaximum) a.u32("MaximumByteCount", maximum_byte_count);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::ReadStream;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    Bytes data;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      bytes16(a, "DataSize", "Data", data);
    }
  };
};

// RopWriteStream (2.2.9.3), RopWriteStreamExtended (2.2.9.4) and RopWriteAndCommitStream (2.2.9.13)
// send DataSize + Data; their responses carry WrittenSize whatever the ReturnValue (2 bytes, 4 for
// the extended form).
template <RopId Id>
struct WriteStreamRequest {
  static constexpr RopId kId = Id;
  uint8_t logon_id = 0, input_handle_index = 0;
  Bytes data;
  friend bool operator==(const WriteStreamRequest&, const WriteStreamRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("LogonId", logon_id);
    a.u8("InputHandleIndex", input_handle_index);
    bytes16(a, "DataSize", "Data", data);
  }
};
template <RopId Id>
struct WriteStreamResponse {
  static constexpr RopId kId = Id;
  uint8_t input_handle_index = 0;
  uint32_t return_value = 0;
  std::conditional_t<Id == RopId::WriteStreamExtended, uint32_t, uint16_t> written_size = 0;
  friend bool operator==(const WriteStreamResponse&, const WriteStreamResponse&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("InputHandleIndex", input_handle_index);
    a.return_value("ReturnValue", return_value);
    if constexpr (Id == RopId::WriteStreamExtended)
      a.u32("WrittenSize", written_size);
    else
      a.u16("WrittenSize", written_size);
  }
};
struct RopWriteStream {
  static constexpr RopId kId = RopId::WriteStream;
  using Request = WriteStreamRequest<RopId::WriteStream>;
  using Response = WriteStreamResponse<RopId::WriteStream>;
};
struct RopWriteStreamExtended {
  static constexpr RopId kId = RopId::WriteStreamExtended;
  using Request = WriteStreamRequest<RopId::WriteStreamExtended>;
  using Response = WriteStreamResponse<RopId::WriteStreamExtended>;
};
struct RopWriteAndCommitStream {
  static constexpr RopId kId = RopId::WriteAndCommitStream;
  using Request = WriteStreamRequest<RopId::WriteAndCommitStream>;
  using Response = WriteStreamResponse<RopId::WriteAndCommitStream>;
};

// MS-OXCROPS 2.2.9.5.
struct RopCommitStream {
  static constexpr RopId kId = RopId::CommitStream;
  EXMAPI_ROP_PLAIN_REQUEST(CommitStream);
  EXMAPI_ROP_PLAIN_RESPONSE(CommitStream, "InputHandleIndex");
};

// MS-OXCROPS 2.2.9.6.
struct RopGetStreamSize {
  static constexpr RopId kId = RopId::GetStreamSize;
  EXMAPI_ROP_PLAIN_REQUEST(GetStreamSize);
  struct Response {
    static constexpr RopId kId = RopId::GetStreamSize;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint32_t stream_size = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) a.u32("StreamSize", stream_size);
    }
  };
};

// MS-OXCROPS 2.2.9.7.
struct RopSetStreamSize {
  static constexpr RopId kId = RopId::SetStreamSize;
  struct Request {
    static constexpr RopId kId = RopId::SetStreamSize;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint64_t stream_size = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u64("StreamSize", stream_size);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(SetStreamSize, "InputHandleIndex");
};

// MS-OXCROPS 2.2.9.8.
struct RopSeekStream {
  static constexpr RopId kId = RopId::SeekStream;
  struct Request {
    static constexpr RopId kId = RopId::SeekStream;
    uint8_t logon_id = 0, input_handle_index = 0, origin = 0;
    uint64_t offset = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("Origin", origin);
      a.u64("Offset", offset);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::SeekStream;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint64_t new_position = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) a.u64("NewPosition", new_position);
    }
  };
};

// MS-OXCROPS 2.2.9.9. ReadByteCount and WrittenByteCount follow whatever the ReturnValue; on
// ecDstNullObject the failing DestHandleIndex comes first.
struct RopCopyToStream {
  static constexpr RopId kId = RopId::CopyToStream;
  struct Request {
    static constexpr RopId kId = RopId::CopyToStream;
    uint8_t logon_id = 0, source_handle_index = 0, dest_handle_index = 0;
    uint64_t byte_count = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("SourceHandleIndex", source_handle_index);
      a.u8("DestHandleIndex", dest_handle_index);
      a.u64("ByteCount", byte_count);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::CopyToStream;
    uint8_t source_handle_index = 0;
    uint32_t return_value = 0;
    uint32_t dest_handle_index = 0;
    uint64_t read_byte_count = 0, written_byte_count = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("SourceHandleIndex", source_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::NullDestinationObject) a.u32("DestHandleIndex", dest_handle_index);
      a.u64("ReadByteCount", read_byte_count);
      a.u64("WrittenByteCount", written_byte_count);
    }
  };
};

// RopLockRegionStream (2.2.9.10) and RopUnlockRegionStream (2.2.9.11).
template <RopId Id>
struct RegionStreamRequest {
  static constexpr RopId kId = Id;
  uint8_t logon_id = 0, input_handle_index = 0;
  uint64_t region_offset = 0, region_size = 0;
  uint32_t lock_flags = 0;
  friend bool operator==(const RegionStreamRequest&, const RegionStreamRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("LogonId", logon_id);
    a.u8("InputHandleIndex", input_handle_index);
    a.u64("RegionOffset", region_offset);
    a.u64("RegionSize", region_size);
    a.u32("LockFlags", lock_flags);
  }
};
struct RopLockRegionStream {
  static constexpr RopId kId = RopId::LockRegionStream;
  using Request = RegionStreamRequest<RopId::LockRegionStream>;
  EXMAPI_ROP_PLAIN_RESPONSE(LockRegionStream, "InputHandleIndex");
};
struct RopUnlockRegionStream {
  static constexpr RopId kId = RopId::UnlockRegionStream;
  using Request = RegionStreamRequest<RopId::UnlockRegionStream>;
  EXMAPI_ROP_PLAIN_RESPONSE(UnlockRegionStream, "InputHandleIndex");
};

// MS-OXCROPS 2.2.9.14.
struct RopCloneStream {
  static constexpr RopId kId = RopId::CloneStream;
  struct Request {
    static constexpr RopId kId = RopId::CloneStream;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(CloneStream, "OutputHandleIndex");
};

using StreamRops = RopList<RopOpenStream, RopReadStream, RopWriteStream, RopWriteStreamExtended, RopWriteAndCommitStream,
                           RopCommitStream, RopGetStreamSize, RopSetStreamSize, RopSeekStream, RopCopyToStream,
                           RopLockRegionStream, RopUnlockRegionStream, RopCloneStream>;

}  // namespace exmapi::rop
