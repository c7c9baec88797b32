package app.threefold.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.ThreefoldException;
import org.junit.jupiter.api.Test;

/** A device name is checked once, where it enters, with the same rule and words as adding a device. */
class DeviceNameTest {

    @Test
    void aNameOfLettersDigitsDotsDashesAndUnderscoresIsOne() {
        assertThat(DeviceName.of("anna-laptop").value()).isEqualTo("anna-laptop");
        assertThat(DeviceName.of("a".repeat(64)).toString()).hasSize(64);
        assertThat(DeviceName.of("pc_2.home")).isEqualTo(new DeviceName("pc_2.home"));
    }

    @Test
    void anythingElseIsRefusedSayingWhatANameMayHold() {
        for (String bad : new String[] {"", "../etc", "-pc", ".hidden", "a".repeat(65), "anna laptop", "ä"}) {
            assertThatThrownBy(() -> DeviceName.of(bad)).as(bad)
                    .isInstanceOf(DeviceException.class)
                    .hasMessage("Invalid device name '" + bad + "': use 1 to 64 letters, digits, '.', '_' or '-',"
                            + " starting with a letter or digit (e.g. anna-laptop).")
                    .extracting(e -> ((ThreefoldException) e).kind()).isEqualTo(ThreefoldException.Kind.REFUSED);
        }
        assertThatThrownBy(() -> DeviceName.of(null)).isInstanceOf(DeviceException.class);
        assertThat(Devices.validName("../etc")).isFalse();
        assertThat(Devices.validName("anna-laptop")).isTrue();
    }
}
