package app.threefold.backend;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * SigV4 that leaves payloads unsigned over plain HTTP too, as it does over HTTPS (and as rclone
 * and restic do on both). Over HTTP the SDK's signer insists on signing the payload in 128 KiB
 * chunks: a second SHA-256 of every byte on our side (on top of the one that checks an object
 * against its name) and aws-chunked framing the server must take apart, which together cost
 * more CPU per gigabyte than the upload itself (measured in {@code bench/mirror}). What the
 * payload signature would protect is protected already: a buffered PUT carries a
 * {@code Content-MD5}, a signed header, that the server checks, a streamed one is compared with
 * the ETag afterwards (see {@link S3Backend}), and the repository's content is encrypted and
 * authenticated by restic's format.
 *
 * <p>Only the payload hash changes: the request is signed as if it went over HTTPS (the
 * signature covers method, path, query, host and headers, never the scheme), then sent as it is.
 */
final class UnsignedPayloads implements AuthScheme<AwsCredentialsIdentity> {

    private final AwsV4AuthScheme v4 = AwsV4AuthScheme.create();
    private final Signer signer = new Signer(v4.signer());

    @Override
    public String schemeId() {
        return AwsV4AuthScheme.SCHEME_ID;
    }

    @Override
    public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
        return v4.identityProvider(providers);
    }

    @Override
    public HttpSigner<AwsCredentialsIdentity> signer() {
        return signer;
    }

    private record Signer(AwsV4HttpSigner v4) implements HttpSigner<AwsCredentialsIdentity> {

        @Override
        public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
            SdkHttpRequest http = request.request();
            if (!"http".equalsIgnoreCase(http.protocol()) || request.payload().isEmpty()) {
                return v4.sign(request);
            }
            // The Host header as it goes out over HTTP: left to the signer, it would be derived
            // for HTTPS and differ on port 80 or 443.
            String host = http.port() == 80 ? http.host() : http.host() + ":" + http.port();
            SdkHttpRequest asHttps = http.toBuilder().protocol("https")
                    .putHeader("Host", http.firstMatchingHeader("Host").orElse(host)).build();
            SignedRequest signed = v4.sign(withRequest(request, asHttps));
            return signed.toBuilder().request(signed.request().toBuilder().protocol(http.protocol()).build()).build();
        }

        private static <T extends AwsCredentialsIdentity> SignRequest<T> withRequest(SignRequest<T> request,
                                                                                    SdkHttpRequest http) {
            return request.toBuilder().request(http).build();
        }

        @Override
        public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
            return v4.signAsync(request);
        }
    }
}
