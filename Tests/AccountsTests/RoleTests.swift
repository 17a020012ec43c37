import Accounts
import Testing

@Suite struct RoleTests {
    @Test func theLastLiveAdminCannotStopBeingOne() {
        #expect(Role.admin.leavesNoAdmin(becoming: .editor, liveAdmins: 1))
        #expect(Role.admin.leavesNoAdmin(becoming: nil, liveAdmins: 1), "disabled")
        #expect(!Role.admin.leavesNoAdmin(becoming: .admin, liveAdmins: 1))
        #expect(!Role.admin.leavesNoAdmin(becoming: .viewer, liveAdmins: 2))
        #expect(!Role.editor.leavesNoAdmin(becoming: nil, liveAdmins: 1))
    }
}
