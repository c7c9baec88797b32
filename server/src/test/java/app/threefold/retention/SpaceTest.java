package app.threefold.retention;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The space panel's numbers: unique and shared data per device, and when the disk fills. */
@ExtendWith(TestDatabase.class)
class SpaceTest {
    @TempDir
    Path tmp;

    @Test
    void dataTwoDevicesBothHoldIsSharedAndWhatOnlyOneHoldsIsItsUniqueData(Catalog catalog) throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
        try (Engine engine = Engine.create(tmp.resolve("data"), "recovery password 123".toCharArray(), catalog, clock)) {
            Path common = Files.createDirectories(tmp.resolve("common/photos"));
            for (int i = 0; i < 3; i++) {
                byte[] photo = new byte[200_000];
                new Random(10 + i).nextBytes(photo);
                Files.write(common.resolve("p" + i + ".jpg"), photo);
            }
            common = common.getParent();
            byte[] own = new byte[3 << 20];
            new Random(1).nextBytes(own);
            Path laptop = tmp.resolve("laptop");
            copy(common, laptop);
            Files.write(laptop.resolve("only-laptop.bin"), own);
            engine.backupFolder("laptop", laptop);
            engine.backupFolder("desktop", common);
            Space space = new Space(catalog.jdbi(), () -> Optional.of(engine), tmp, clock);

            space.count();
            Map<String, Space.HostSpace> counted = space.counted();

            // Incompressible random bytes: the laptop's own file is about all of its unique data.
            assertThat(counted.get("laptop").uniqueBytes()).isBetween(3L << 20, (3L << 20) + (64 << 10));
            assertThat(counted.get("desktop").uniqueBytes()).isLessThan(4096); // its root tree differs, nothing else
            assertThat(counted.get("laptop").sharedBytes()).isEqualTo(counted.get("desktop").sharedBytes()).isPositive();

            space.sample();
            assertThat(space.disk().fullOn()).isEmpty();
            clock.advance(Duration.ofDays(10));
            byte[] more = new byte[1 << 20];
            new Random(2).nextBytes(more);
            Files.write(laptop.resolve("more.bin"), more);
            engine.backupFolder("laptop", laptop);
            space.sample();

            Space.Disk disk = space.disk();
            assertThat(disk.bytesPerDay().orElseThrow()).isBetween((1L << 20) / 10, (1L << 20) / 10 + 8192);
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            assertThat(disk.fullOn().orElseThrow()).isEqualTo(today.plusDays(disk.freeBytes() / disk.bytesPerDay().orElseThrow()));
        }
    }

    @Test
    void aDeviceWithoutSnapshotsDoesNotStartANewCountAtEveryLookUntilADayPassesOrItBacksUp(Catalog catalog) throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
        try (Engine engine = Engine.create(tmp.resolve("data"), "recovery password 123".toCharArray(), catalog, clock)) {
            Path laptop = Files.createDirectories(tmp.resolve("laptop"));
            Files.writeString(laptop.resolve("a.txt"), "a");
            engine.backupFolder("laptop", laptop);
            Space space = new Space(catalog.jdbi(), () -> Optional.of(engine), tmp, clock);
            assertThat(space.needsCount("new-phone")).as("never counted").isTrue();

            space.count();

            assertThat(space.counted()).doesNotContainKey("new-phone");
            assertThat(space.needsCount("new-phone")).as("counted a moment ago, it has nothing").isFalse();
            assertThat(space.needsCount("laptop")).isFalse();
            clock.advance(Duration.ofMinutes(5));
            engine.backupFolder("new-phone", laptop);
            assertThat(space.needsCount("new-phone")).as("its first snapshot came after the count").isTrue();
            space.count();
            clock.advance(Duration.ofDays(1).plusMinutes(1));
            assertThat(space.needsCount("laptop")).as("a day old").isTrue();
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
