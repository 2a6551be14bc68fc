package dev.warmbox.provider;

/** Asked of a provider for something it cannot do; the message names the capability and the provider. */
public final class UnsupportedCapabilityException extends RuntimeException {
    private final Capability capability;

    public UnsupportedCapabilityException(Capability capability, String provider) {
        super(provider + " does not offer " + capability.description() + " (capability " + capability + ")");
        this.capability = capability;
    }

    public Capability capability() {
        return capability;
    }
}
