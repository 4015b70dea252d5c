# Exploratory hand loop used to pick the CPU-scale settings of cgpgan.cgpgan_clusters (see docs/results/cgpgan.md).
# Run from the repository root: python docs/results/cgpgan/explore_proto.py steps=4000 width=64 depth=3 B=64 lr=0.001 decay=0.99 zdim=16 lam=0.1
import sys, time, math, torch, attrs
torch.set_num_threads(1)
from condgan.conditions import ConditionSpec
from condgan.interfaces import BuildContext, Models, Batch, BatchComposer
from condgan.plugins.cgpgan import nets, priors, objectives, losses as L

class Sep(BatchComposer):
    def split(self, b, step, epoch): return b, b
    def discriminate(self, D, xr, xf): return D(xr), D(xf)
class Lat(torch.nn.Module):
    def __init__(s, d): super().__init__(); s.dim = d
    def sample(s, n, device=None, generator=None): return torch.randn(n, s.dim)

def data(n, g, first=(-1., 1.)):
    centers = torch.tensor([first, (0., -2.), (1., -1.), (2., 1.)])
    idx = torch.multinomial(torch.tensor([.1,.2,.3,.4]), n, replacement=True, generator=g)
    return centers[idx] + 0.3*torch.randn(n, 2, generator=g), idx

def run(width=512, depth=4, B=16, steps=1000, lam=0.1, dc=16, zdim=256, lr=1e-4, norm_frac=0.3, decay=0.999, seed=0):
    torch.manual_seed(seed)
    spec = ConditionSpec.single(dc)
    ctx = BuildContext(spec=spec, data_shape=(2,), latent_dim=zdim)
    obj = objectives.CGPGANObjective(objectives.CGPGANParams(lambda_creg=lam, normalize_until_step=int(norm_frac*steps)), ctx)
    mp = nets.MLPParams(width=width, depth=depth)
    G = nets.MLPGenerator(mp, ctx); D = nets.MLPDiscriminator(mp, ctx.with_heads(obj.heads())); Q = nets.MLPClassifier(mp, ctx)
    prior = priors.EMAPrior(priors.EMAPriorParams(decay=decay), ctx)
    m = Models(generator=G, discriminator=D, prior=prior, composer=Sep(), latent=Lat(zdim), spec=spec, classifier=Q, steps_per_epoch=1)
    opt = {k: torch.optim.AdamW(v.parameters(), lr=lr, weight_decay=1e-4, betas=(0., .99)) for k, v in dict(generator=G, discriminator=D, classifier=Q).items()}
    g = torch.Generator().manual_seed(seed)
    t0 = time.time()
    for step in range(steps):
        x, _ = data(B, g)
        real = Batch(x=x)
        out = obj.discriminator_step(m, real, step)
        sums = {}
        for n, v in out.losses.items():
            sums.setdefault(obj.losses[n], []).append(v)
        for k in sums: opt[k].zero_grad(set_to_none=True)
        for k, vs in sums.items():
            params = [p for p in dict(discriminator=D, classifier=Q)[k].parameters()]
            grads = torch.autograd.grad(sum(vs), params, retain_graph=True)
            for p_, g_ in zip(params, grads): p_.grad = g_
        for k in sums: opt[k].step()
        prior.update(out.class_probs)
        go = obj.generator_step(m, real, step)
        opt["generator"].zero_grad(set_to_none=True)
        gparams = list(G.parameters())
        grads = torch.autograd.grad(sum(go.losses.values()), gparams)
        for p_, g_ in zip(gparams, grads): p_.grad = g_
        opt["generator"].step()
        if step % max(steps//10,1) == 0 or step == steps-1:
            pr = prior.probs()
            keep, vals = L.reported_prior(pr)
            print(step, f"{time.time()-t0:.1f}s", {k: round(float(v),3) for k,v in out.losses.items()}, sorted([round(v,3) for v in vals]), flush=True)
    return prior.probs(), time.time()-t0

if __name__ == "__main__":
    kw = {}
    for a in sys.argv[1:]:
        k, v = a.split("="); kw[k] = type(run.__defaults__[list(run.__code__.co_varnames).index(k)])(v) if False else (float(v) if "." in v else int(v))
    p, t = run(**kw)
    print("final", sorted([round(v,3) for v in L.reported_prior(p)[1]]), f"{t:.1f}s")
