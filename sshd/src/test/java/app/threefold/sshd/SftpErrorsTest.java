package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.ThreefoldException.Kind;
import java.util.EnumMap;
import java.util.Map;
import org.apache.sshd.sftp.common.SftpConstants;
import org.junit.jupiter.api.Test;

/** Each kind of failure has one SFTP status per protocol version, whichever exception carries it. */
class SftpErrorsTest {

    private static Map<Kind, Integer> statuses(int version) {
        Map<Kind, Integer> statuses = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            statuses.put(kind, SftpErrors.statusOf(kind, version, SftpConstants.SSH_FXP_READ, new RuntimeException("test")));
        }
        return statuses;
    }

    @Test
    void version3ClientsGetTheFewCodesTheyKnow() {
        assertThat(statuses(SftpConstants.SFTP_V3)).containsExactlyInAnyOrderEntriesOf(Map.of(
                Kind.BAD_REQUEST, SftpConstants.SSH_FX_FAILURE,
                Kind.NOT_FOUND, SftpConstants.SSH_FX_NO_SUCH_FILE,
                Kind.CONFLICT, SftpConstants.SSH_FX_FAILURE,
                Kind.REFUSED, SftpConstants.SSH_FX_PERMISSION_DENIED,
                Kind.UNAVAILABLE, SftpConstants.SSH_FX_FAILURE,
                Kind.DAMAGED, SftpConstants.SSH_FX_FAILURE,
                Kind.INTERNAL, SftpConstants.SSH_FX_FAILURE));
    }

    @Test
    void version6ClientsAreToldOfBadParametersAndCorruptFiles() {
        Map<Kind, Integer> v6 = statuses(SftpConstants.SFTP_V6);

        assertThat(v6.get(Kind.BAD_REQUEST)).isEqualTo(SftpConstants.SSH_FX_INVALID_PARAMETER);
        assertThat(v6.get(Kind.DAMAGED)).isEqualTo(SftpConstants.SSH_FX_FILE_CORRUPT);
        assertThat(v6.get(Kind.NOT_FOUND)).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
    }
}
