// The property tags the mailbox store, its seed and the ROP processor name (MS-OXPROPS).
#pragma once

#include <cstdint>

namespace exmapi::server::mailbox_tag {

constexpr uint32_t DisplayName = 0x3001001F, ContainerClass = 0x3613001F, FolderType = 0x36010003,
                   ChangeNumber = 0x67A40014, CreationTime = 0x30070040, LastModificationTime = 0x30080040,
                   MessageClass = 0x001A001F, Subject = 0x0037001F, SubjectPrefix = 0x003D001F,
                   NormalizedSubject = 0x0E1D001F, Body = 0x1000001F, Html = 0x10130102, RtfCompressed = 0x10090102,
                   RtfInSync = 0x0E1F000B, SenderName = 0x0C1A001F, SenderEmailAddress = 0x0C1F001F,
                   SenderAddressType = 0x0C1E001F, SentRepresentingName = 0x0042001F,
                   SentRepresentingEmailAddress = 0x0065001F, DisplayTo = 0x0E04001F,
                   MessageDeliveryTime = 0x0E060040, ClientSubmitTime = 0x00390040, MessageFlags = 0x0E070003,
                   HasAttachments = 0x0E1B000B, Importance = 0x00170003, InternetCodepage = 0x3FDE0003,
                   MessageSize = 0x0E080003, RecipientType = 0x0C150003, EmailAddress = 0x3003001F,
                   AddressType = 0x3002001F, SmtpAddress = 0x39FE001F, DisplayType = 0x39000003,
                   AttachMethod = 0x37050003, AttachLongFilename = 0x3707001F, AttachFilename = 0x3704001F,
                   AttachMimeTag = 0x370E001F, AttachDataBinary = 0x37010102, AttachSize = 0x0E200003,
                   RenderingPosition = 0x370B0003, AttachNumber = 0x0E210003, StartDate = 0x00600040,
                   EndDate = 0x00610040, GivenName = 0x3A06001F, Surname = 0x3A11001F, Title = 0x3A17001F,
                   DepartmentName = 0x3A18001F, CompanyName = 0x3A16001F, BusinessTelephoneNumber = 0x3A08001F,
                   IpmAppointmentEntryId = 0x36D00102, IpmContactEntryId = 0x36D10102,
                   IpmJournalEntryId = 0x36D20102, IpmNoteEntryId = 0x36D30102, IpmTaskEntryId = 0x36D40102,
                   IpmDraftsEntryId = 0x36D70102, FolderId = 0x67480014, ParentFolderId = 0x67490014,
                   Mid = 0x674A0014, ContentCount = 0x36020003, ContentUnreadCount = 0x36030003,
                   Subfolders = 0x360A000B, FolderChildCount = 0x66380003, EntryId = 0x0FFF0102,
                   ParentEntryId = 0x0E090102, RecordKey = 0x0FF90102, InstanceKey = 0x0FF60102,
                   InstId = 0x674D0014, InstanceNum = 0x674E0003, RowId = 0x30000003, Depth = 0x30050003,
                   MemberId = 0x66710014, MemberName = 0x6672001F, MemberRights = 0x66730003,
                   ObjectType = 0x0FFE0003, Access = 0x0FF40003, AccessLevel = 0x0FF70003;

}  // namespace exmapi::server::mailbox_tag
