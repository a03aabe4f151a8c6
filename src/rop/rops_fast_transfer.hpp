// FastTransfer ROPs (MS-OXCROPS 2.2.12; semantics in MS-OXCFXICS 2.2.3.1.1).
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

// MS-OXCROPS 2.2.12.1. SourceOperation says which source ROP produced the stream about to be uploaded
// (MS-OXCFXICS 2.2.3.1.2.1.1).
namespace fast_transfer_source_operation {
constexpr uint8_t CopyTo = 0x01, CopyProperties = 0x02, CopyMessages = 0x03, CopyFolder = 0x04;
}
struct RopFastTransferDestinationConfigure {
  static constexpr RopId kId = RopId::FastTransferDestinationConfigure;
  struct Request {
    static constexpr RopId kId = RopId::FastTransferDestinationConfigure;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0;
    uint8_t source_operation = fast_transfer_source_operation::CopyTo, copy_flags = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      a.u8("SourceOperation", source_operation);
      a.u8("CopyFlags", copy_flags);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(FastTransferDestinationConfigure, "OutputHandleIndex");
};

// RopFastTransferDestinationPutBuffer (2.2.12.2) and RopFastTransferDestinationPutBufferExtended
// (2.2.12.3) upload TransferDataSize + TransferData. Their responses have one shape whatever the
// ReturnValue (MS-OXCROPS defines no separate failure buffer): the progress counters are 2 bytes wide
// in the plain form and 4 in the extended one.
template <RopId Id>
struct PutBufferRequest {
  static constexpr RopId kId = Id;
  uint8_t logon_id = 0, input_handle_index = 0;
  Bytes transfer_data;
  friend bool operator==(const PutBufferRequest&, const PutBufferRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("LogonId", logon_id);
    a.u8("InputHandleIndex", input_handle_index);
    bytes16(a, "TransferDataSize", "TransferData", transfer_data);
  }
};
template <RopId Id>
struct PutBufferResponse {
  static constexpr RopId kId = Id;
  using Counter = std::conditional_t<Id == RopId::FastTransferDestinationPutBufferExtended, uint32_t, uint16_t>;
  uint8_t input_handle_index = 0;
  uint32_t return_value = 0;
  uint16_t transfer_status = 0;
  Counter in_progress_count = 0, total_step_count = 0;
  uint8_t reserved = 0;
  uint16_t buffer_used_size = 0;
  friend bool operator==(const PutBufferResponse&, const PutBufferResponse&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("InputHandleIndex", input_handle_index);
    a.return_value("ReturnValue", return_value);
    a.u16("TransferStatus", transfer_status);
    if constexpr (sizeof(Counter) == 4) {
      a.u32("InProgressCount", in_progress_count);
      a.u32("TotalStepCount", total_step_count);
    } else {
      a.u16("InProgressCount", in_progress_count);
      a.u16("TotalStepCount", total_step_count);
    }
    a.u8("Reserved", reserved);
    a.u16("BufferUsedSize", buffer_used_size);
  }
};
struct RopFastTransferDestinationPutBuffer {
  static constexpr RopId kId = RopId::FastTransferDestinationPutBuffer;
  using Request = PutBufferRequest<RopId::FastTransferDestinationPutBuffer>;
  using Response = PutBufferResponse<RopId::FastTransferDestinationPutBuffer>;
};
struct RopFastTransferDestinationPutBufferExtended {
  static constexpr RopId kId = RopId::FastTransferDestinationPutBufferExtended;
  using Request = PutBufferRequest<RopId::FastTransferDestinationPutBufferExtended>;
  using Response = PutBufferResponse<RopId::FastTransferDestinationPutBufferExtended>;
};

// TransferStatus of the GetBuffer and PutBuffer responses (MS-OXCFXICS 2.2.3.1.1.5.2).
namespace transfer_status {
constexpr uint16_t Error = 0x0000, Partial = 0x0001, NoRoom = 0x0002, Done = 0x0003;
}

// MS-OXCROPS 2.2.12.4. BufferSize 0xBABE lets the server choose the size up to MaximumBufferSize,
// which then follows. The response has one shape for every ReturnValue except ecServerBusy
// (0x00000480): TransferBuffer is present unless the ReturnValue is ecServerBusy, BackoffTime only
// when it is; TransferStatus, the counters and TransferBufferSize are always there.
constexpr uint16_t kGetBufferUseMaximum = 0xBABE;
struct RopFastTransferSourceGetBuffer {
  static constexpr RopId kId = RopId::FastTransferSourceGetBuffer;
  struct Request {
    static constexpr RopId kId = RopId::FastTransferSourceGetBuffer;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint16_t buffer_size = kGetBufferUseMaximum;
    uint16_t maximum_buffer_size = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u16("BufferSize", buffer_size);
      if (buffer_size == kGetBufferUseMaximum) a.u16("MaximumBufferSize", maximum_buffer_size);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::FastTransferSourceGetBuffer;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint16_t transfer_status = 0, in_progress_count = 0, total_step_count = 0;
    uint8_t reserved = 0;
    Bytes transfer_buffer;
    // With ecServerBusy no TransferBuffer follows its size, so the size is kept on its own.
    uint16_t busy_transfer_buffer_size = 0;
    uint32_t backoff_time = 0;  // milliseconds; ecServerBusy only
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      a.u16("TransferStatus", transfer_status);
      a.u16("InProgressCount", in_progress_count);
      a.u16("TotalStepCount", total_step_count);
      a.u8("Reserved", reserved);
      if (return_value == ec::ServerBusy) {
        a.u16("TransferBufferSize", busy_transfer_buffer_size);
        a.u32("BackoffTime", backoff_time);
      } else {
        bytes16(a, "TransferBufferSize", "TransferBuffer", transfer_buffer);
      }
    }
  };
};

// MS-OXCROPS 2.2.12.5.
struct RopFastTransferSourceCopyFolder {
  static constexpr RopId kId = RopId::FastTransferSourceCopyFolder;
  struct Request {
    static constexpr RopId kId = RopId::FastTransferSourceCopyFolder;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0, copy_flags = 0, send_options = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      a.u8("CopyFlags", copy_flags);
      a.u8("SendOptions", send_options);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(FastTransferSourceCopyFolder, "OutputHandleIndex");
};

// MS-OXCROPS 2.2.12.6.
struct RopFastTransferSourceCopyMessages {
  static constexpr RopId kId = RopId::FastTransferSourceCopyMessages;
  struct Request {
    static constexpr RopId kId = RopId::FastTransferSourceCopyMessages;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0;
    std::vector<uint64_t> message_ids;
    uint8_t copy_flags = 0, send_options = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      size_t n = a.count16("MessageIdCount", message_ids.size());
      a.list("MessageIds", message_ids, n, 8, [](auto& a, uint64_t& id) { a.object_id("", id); });
      a.u8("CopyFlags", copy_flags);
      a.u8("SendOptions", send_options);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(FastTransferSourceCopyMessages, "OutputHandleIndex");
};

// RopFastTransferSourceCopyTo (2.2.12.7) and RopFastTransferSourceCopyProperties (2.2.12.8) share
// Level, CopyFlags, SendOptions and a tag list (excluded properties for CopyTo, copied ones for
// CopyProperties); CopyTo's CopyFlags is 4 bytes wide, CopyProperties' 1.
template <RopId Id>
struct CopyPropertiesRequest {
  static constexpr RopId kId = Id;
  using Flags = std::conditional_t<Id == RopId::FastTransferSourceCopyTo, uint32_t, uint8_t>;
  uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0, level = 0;
  Flags copy_flags = 0;
  uint8_t send_options = 0;
  std::vector<PropTag> property_tags;
  friend bool operator==(const CopyPropertiesRequest&, const CopyPropertiesRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("LogonId", logon_id);
    a.u8("InputHandleIndex", input_handle_index);
    a.u8("OutputHandleIndex", output_handle_index);
    a.u8("Level", level);
    if constexpr (sizeof(Flags) == 4)
      a.u32("CopyFlags", copy_flags);
    else
      a.u8("CopyFlags", copy_flags);
    a.u8("SendOptions", send_options);
    prop_tags16(a, "PropertyTagCount", "PropertyTags", property_tags);
  }
};
struct RopFastTransferSourceCopyTo {
  static constexpr RopId kId = RopId::FastTransferSourceCopyTo;
  using Request = CopyPropertiesRequest<RopId::FastTransferSourceCopyTo>;
  EXMAPI_ROP_PLAIN_RESPONSE(FastTransferSourceCopyTo, "OutputHandleIndex");
};
struct RopFastTransferSourceCopyProperties {
  static constexpr RopId kId = RopId::FastTransferSourceCopyProperties;
  using Request = CopyPropertiesRequest<RopId::FastTransferSourceCopyProperties>;
  EXMAPI_ROP_PLAIN_RESPONSE(FastTransferSourceCopyProperties, "OutputHandleIndex");
};

// MS-OXCROPS 2.2.12.9. Version is the other server's version as three 16-bit words (MS-OXCRPC
// 3.1.4.1.3.1).
struct RopTellVersion {
  static constexpr RopId kId = RopId::TellVersion;
  struct Request {
    static constexpr RopId kId = RopId::TellVersion;
    uint8_t logon_id = 0, input_handle_index = 0;
    std::array<uint16_t, 3> version{};
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u16("Version[0]", version[0]);
      a.u16("Version[1]", version[1]);
      a.u16("Version[2]", version[2]);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(TellVersion, "InputHandleIndex");
};

using FastTransferRops =
    RopList<RopFastTransferDestinationConfigure, RopFastTransferDestinationPutBuffer,
            RopFastTransferDestinationPutBufferExtended, RopFastTransferSourceGetBuffer, RopFastTransferSourceCopyFolder,
            RopFastTransferSourceCopyMessages, RopFastTransferSourceCopyTo, RopFastTransferSourceCopyProperties,
            RopTellVersion>;

}  // namespace exmapi::rop
