package app.threefold.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.InvalidIdException;
import app.threefold.ThreefoldException;
import org.junit.jupiter.api.Test;

class JobIdTest {

    @Test
    void aJobIdIsTheNumberTheStartingCallReturned() {
        assertThat(JobId.parse("42")).isEqualTo(new JobId(42));
        assertThat(new JobId(42).toString()).isEqualTo("42");
    }

    @Test
    void textThatIsNotANumberIsABadRequest() {
        for (String bad : new String[] {"", "abc", "4 2", "99999999999999999999", null}) {
            assertThatThrownBy(() -> JobId.parse(bad)).as(String.valueOf(bad))
                    .isInstanceOf(InvalidIdException.class).hasMessage("A job id is a number.")
                    .extracting(e -> ((ThreefoldException) e).kind()).isEqualTo(ThreefoldException.Kind.BAD_REQUEST);
        }
    }
}
