package app.threefold.backend;

class MemoryBackendTest extends BackendContractTest {

    @Override
    protected Backend newBackend() {
        return new MemoryBackend();
    }
}
