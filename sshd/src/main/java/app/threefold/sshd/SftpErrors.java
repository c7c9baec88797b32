package app.threefold.sshd;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldFailure;
import app.threefold.backend.BackendException;
import app.threefold.overlay.QuotaExceededException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpHelper;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become SFTP status codes and messages. File-system refusals carry
 * their reason to the client (paths in them are the device's own); a failure that says what it
 * means maps its kind ({@link #statusOf}), with its message when the device can act on it; anything
 * else is logged here and reported as a failure without internals.
 */
final class SftpErrors implements SftpErrorStatusDataHandler {
    private static final Logger log = LoggerFactory.getLogger(SftpErrors.class);
    private static final String INTERNAL_MESSAGE = "the appliance could not complete this request; its log says why";

    @Override
    public int resolveSubStatus(SftpSubsystemEnvironment env, int cmd, Throwable e, int id, Object... args) {
        if (e instanceof QuotaExceededException || e instanceof GuestQuotaException) {
            // SFTP v3 clients (OpenSSH, rclone) know no quota status; they show the message instead.
            return env.getVersion() >= SftpConstants.SFTP_V5 ? SftpConstants.SSH_FX_QUOTA_EXCEEDED : SftpConstants.SSH_FX_FAILURE;
        }
        if (e instanceof FileSystemException fse && "is a directory".equals(fse.getReason())) {
            return env.getVersion() >= SftpConstants.SFTP_V6 ? SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY : SftpConstants.SSH_FX_FAILURE;
        }
        if (failure(e) != null) {
            return statusOf(kindOf(e), env.getVersion(), cmd, e);
        }
        int status = SftpHelper.resolveSubstatus(e);
        if (status == SftpConstants.SSH_FX_FAILURE && !(e instanceof FileSystemException)) {
            log.error("SFTP request {} failed", SftpConstants.getCommandMessageName(cmd), e);
        }
        return status;
    }

    @Override
    public String resolveErrorMessage(SftpSubsystemEnvironment env, int cmd, Throwable e, int subStatus, int id, Object... args) {
        if (e instanceof FileSystemException fse) {
            String reason = fse.getReason();
            String file = fse.getFile();
            if (reason != null) {
                return file == null ? reason : file + ": " + reason;
            }
        }
        if (failure(e) != null) {
            return switch (kindOf(e)) {
                case BAD_REQUEST, NOT_FOUND, CONFLICT, REFUSED -> failure(e).getMessage();
                case UNAVAILABLE -> "the appliance cannot store or read backups right now; try again later (its log says why)";
                case DAMAGED -> "the appliance found damaged data in its repository; ask its admin to run `threefold check`";
                case INTERNAL -> INTERNAL_MESSAGE;
            };
        }
        if (subStatus == SftpConstants.SSH_FX_FAILURE && !(e instanceof FileSystemException)) {
            return INTERNAL_MESSAGE;
        }
        return SftpHelper.resolveStatusMessage(subStatus);
    }

    /**
     * The status of a failure's kind; the one place that decides it. SFTP v3 (what OpenSSH and
     * rclone speak) has few codes, so most kinds are a failure whose message says what happened;
     * later versions get the closer code. What the device cannot fix is logged here.
     */
    static int statusOf(Kind kind, int version, int cmd, Throwable e) {
        return switch (kind) {
            case BAD_REQUEST -> version >= SftpConstants.SFTP_V6 ? SftpConstants.SSH_FX_INVALID_PARAMETER : SftpConstants.SSH_FX_FAILURE;
            case NOT_FOUND -> SftpConstants.SSH_FX_NO_SUCH_FILE;
            case CONFLICT -> SftpConstants.SSH_FX_FAILURE;
            case REFUSED -> SftpConstants.SSH_FX_PERMISSION_DENIED;
            case UNAVAILABLE -> {
                log.warn("SFTP request {} failed: {}", SftpConstants.getCommandMessageName(cmd), e.getMessage());
                yield SftpConstants.SSH_FX_FAILURE;
            }
            case DAMAGED -> {
                log.warn("SFTP request {} found damaged data: {}", SftpConstants.getCommandMessageName(cmd), e.getMessage());
                yield version >= SftpConstants.SFTP_V6 ? SftpConstants.SSH_FX_FILE_CORRUPT : SftpConstants.SSH_FX_FAILURE;
            }
            case INTERNAL -> {
                log.error("SFTP request {} failed", SftpConstants.getCommandMessageName(cmd), e);
                yield SftpConstants.SSH_FX_FAILURE;
            }
        };
    }

    /** The failure that says what it means, also inside an {@link UncheckedIOException}; null for others. */
    private static ThreefoldFailure failure(Throwable e) {
        if (e instanceof ThreefoldFailure f) {
            return f;
        }
        return e instanceof UncheckedIOException && e.getCause() instanceof ThreefoldFailure f ? f : null;
    }

    /**
     * A device's requests name its own files, never repository objects: a backend failure under one
     * is the appliance's whatever its kind, and an object missing from the repository means damage.
     */
    private static Kind kindOf(Throwable e) {
        ThreefoldFailure f = failure(e);
        if (!(f instanceof BackendException)) {
            return f.kind();
        }
        return switch (f.kind()) {
            case NOT_FOUND, DAMAGED -> Kind.DAMAGED;
            default -> Kind.UNAVAILABLE;
        };
    }
}
