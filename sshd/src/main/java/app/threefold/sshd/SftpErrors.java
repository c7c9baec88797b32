package app.threefold.sshd;

import app.threefold.overlay.QuotaExceededException;
import java.nio.file.FileSystemException;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpHelper;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become SFTP status codes and messages. File-system refusals carry
 * their reason to the client (paths in them are the device's own); anything else is logged here
 * and reported as a failure without internals.
 */
final class SftpErrors implements SftpErrorStatusDataHandler {
    private static final Logger log = LoggerFactory.getLogger(SftpErrors.class);

    @Override
    public int resolveSubStatus(SftpSubsystemEnvironment env, int cmd, Throwable e, int id, Object... args) {
        if (e instanceof QuotaExceededException) {
            // SFTP v3 clients (OpenSSH, rclone) know no quota status; they show the message instead.
            return env.getVersion() >= SftpConstants.SFTP_V5 ? SftpConstants.SSH_FX_QUOTA_EXCEEDED : SftpConstants.SSH_FX_FAILURE;
        }
        if (e instanceof FileSystemException fse && "is a directory".equals(fse.getReason())) {
            return env.getVersion() >= SftpConstants.SFTP_V6 ? SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY : SftpConstants.SSH_FX_FAILURE;
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
        if (subStatus == SftpConstants.SSH_FX_FAILURE && !(e instanceof FileSystemException)) {
            return "the appliance could not complete this request; its log says why";
        }
        return SftpHelper.resolveStatusMessage(subStatus);
    }
}
