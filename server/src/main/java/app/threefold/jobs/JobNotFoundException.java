package app.threefold.jobs;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldException;

/** No job has the requested id. */
public class JobNotFoundException extends ThreefoldException {

    public JobNotFoundException(JobId id) {
        this(id.value());
    }

    public JobNotFoundException(long id) {
        super(Kind.NOT_FOUND, "There is no job " + id + "; job ids come from the call that started the job.");
    }
}
