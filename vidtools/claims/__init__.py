from vidtools.claims.extract import extract_claims, extract_claims_from_file
from vidtools.claims.lexicon import default_lexicon, load_lexicon
from vidtools.claims.model import Claim, ClaimCheck, Cue
compare = load_claims = save_claims = None
