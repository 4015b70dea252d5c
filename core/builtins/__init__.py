"""condgan's own generic components, registered as the plugin ``core`` (names ``core.*``).

The paper plugins reuse these: adversarial loss families, gradient regularizers, networks, priors, batch
composers, latent samplers, datasets and a plain conditional GAN objective.
"""
