package app.threefold.repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code restic} against a repository folder: the judge of the format in tests. */
public final class ResticCli {
    private final String repository;
    private final String password;
    private final Map<String, String> environment;

    public ResticCli(Path repository, String password) {
        this(repository.toString(), password, Map.of());
    }

    /** A repository restic names by location, e.g. {@code s3:http://127.0.0.1:PORT/BUCKET/PREFIX}, with its credentials. */
    public ResticCli(String repository, String password, Map<String, String> environment) {
        this.repository = repository;
        this.password = password;
        this.environment = Map.copyOf(environment);
    }

    /** Exit code and combined output of one restic run. */
    public record Run(int exitCode, String output) {
    }

    public Run run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    public Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("restic", "--no-cache", "-r", repository));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("RESTIC_PASSWORD", password);
        pb.environment().putAll(environment);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("restic " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs restic and fails with its output unless it exits 0. */
    public String ok(String... args) throws IOException, InterruptedException {
        Run r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("restic " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }
}
