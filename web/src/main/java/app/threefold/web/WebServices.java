package app.threefold.web;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.device.Devices;
import app.threefold.health.HealthProbe;
import app.threefold.login.LoginThrottle;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the web adapter needs from the rest of the appliance; the appliance builds one. Later
 * feature slices (devices, snapshots, targets) add their services here.
 *
 * @param version   the appliance version reported by {@code /healthz} and the status API
 * @param clock     the time source for uptime
 * @param startedAt when the appliance started
 * @param health    the state of the database, repository and other parts
 * @param accounts  administrators, for HTTP Basic
 * @param apiTokens bearer tokens
 * @param dataDir   the data directory, whose free space the status API reports
 * @param devices   SFTP device accounts and their snapshots
 * @param sshHostKeys the SFTP server's host key fingerprints (key type to {@code SHA256:…}); empty while it is off
 * @param panel     the admin panel's services
 * @param loginThrottle the appliance's one guard against password guessing, shared with SFTP
 * @param sshHostKeyLines the SFTP server's host public keys as OpenSSH lines ({@code ssh-ed25519 AAAA…}), which
 *                  setup scripts pin; empty while it is off
 */
public record WebServices(String version, Clock clock, Instant startedAt, HealthProbe health, Accounts accounts,
                          ApiTokens apiTokens, Path dataDir, Devices devices, Supplier<Map<String, String>> sshHostKeys,
                          PanelServices panel, LoginThrottle loginThrottle, Supplier<List<String>> sshHostKeyLines) {

    /** Without host key lines: setup scripts cannot be made (the panel says the SFTP server is not running). */
    public WebServices(String version, Clock clock, Instant startedAt, HealthProbe health, Accounts accounts,
                       ApiTokens apiTokens, Path dataDir, Devices devices, Supplier<Map<String, String>> sshHostKeys,
                       PanelServices panel, LoginThrottle loginThrottle) {
        this(version, clock, startedAt, health, accounts, apiTokens, dataDir, devices, sshHostKeys, panel, loginThrottle,
                List::of);
    }

    /** A web server on its own (tests, benchmarks): it counts failed logins by itself. */
    public WebServices(String version, Clock clock, Instant startedAt, HealthProbe health, Accounts accounts,
                       ApiTokens apiTokens, Path dataDir, Devices devices, Supplier<Map<String, String>> sshHostKeys,
                       PanelServices panel) {
        this(version, clock, startedAt, health, accounts, apiTokens, dataDir, devices, sshHostKeys, panel,
                new LoginThrottle(clock));
    }

    public WebServices {
        Objects.requireNonNull(version);
        Objects.requireNonNull(clock);
        Objects.requireNonNull(startedAt);
        Objects.requireNonNull(health);
        Objects.requireNonNull(accounts);
        Objects.requireNonNull(apiTokens);
        Objects.requireNonNull(dataDir);
        Objects.requireNonNull(sshHostKeys);
        Objects.requireNonNull(panel);
        Objects.requireNonNull(loginThrottle);
        Objects.requireNonNull(sshHostKeyLines);
    }
}
