package app.threefold.sshd;

import app.threefold.tree.NameCharset;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * An SFTP request and its reply with file names as bytes: MINA reads and writes every path as UTF-8,
 * which turns bytes that are not UTF-8 into U+FFFD, so two different names could become one. This
 * buffer reads and writes them with {@link NameCharset} instead, which is UTF-8 for every valid name.
 */
final class NameBuffer extends ByteArrayBuffer {
    NameBuffer(Buffer request) {
        super(request.array(), request.rpos(), request.available());
    }

    @Override
    public String getString(Charset charset) {
        return super.getString(names(charset));
    }

    @Override
    public void putString(String string, Charset charset) {
        super.putString(string, names(charset));
    }

    private static Charset names(Charset charset) {
        return StandardCharsets.UTF_8.equals(charset) ? NameCharset.INSTANCE : charset;
    }
}
