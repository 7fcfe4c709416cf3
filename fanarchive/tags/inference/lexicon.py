"""Cue lexicons: the words and phrases that point to content, as data.

Each cue class maps to a small spec: one line per weight, ``weight: item; item; ...``.
An item is a lowercase word or phrase; ``{a,b,}`` expands to each alternative (several
groups expand to every combination), so ``kiss{,es,ed,ing}`` is four items; ``$HIM``
and the other ``MACROS`` stand for common groups. In the
text a space in an item matches any run of whitespace, an apostrophe matches straight
and curly ones, and a hyphen matches a hyphen, a space or nothing.

The lists are written from how fan fiction is commonly written and tagged; they are
general English, not fitted to any story. Weights are relative strengths inside a class
(2 = strong on its own, 1 = ordinary, below 1 = weak, needs company).
"""

from __future__ import annotations

import itertools
import re

from fanarchive.tags.inference.wordlist import FREQUENT_WORDS

# Cue classes ---------------------------------------------------------------------------

SEX_EXPLICIT = "sex_explicit"
"""Genitals, sex acts, orgasm: vocabulary that makes a scene explicit."""
SEX_SENSUAL = "sex_sensual"
"""Nakedness, moaning, bodies: sexual but not explicit on its own."""
SEX_IMPLIED = "sex_implied"
"""Sex said or implied, not shown: 'slept together', morning-after cues."""
KISS = "kiss"
KISS_CHASTE = "kiss_chaste"
"""A kiss on the cheek, forehead or hand: affection, fine for any rating."""
ROMANCE = "romance"
"""Love, partners, endearments, courtship, tender touch."""
FRIENDSHIP = "friendship"
FAMILY = "family"
"""Kinship and mentorship: platonic bonds between the characters named near them."""
VIOLENCE_GRAPHIC = "violence_graphic"
BLOOD = "blood"
INJURY = "injury"
VIOLENCE_MILD = "violence_mild"
TORTURE = "torture"
DEATH = "death"
"""Death words, to be found near a character's name."""
DEATH_EVENT = "death_event"
"""A death told as an event ('she died', 'his funeral'), with or without a name."""
SWEAR_STRONG = "swear_strong"
SWEAR_MILD = "swear_mild"
DRUGS = "drugs"
ALCOHOL = "alcohol"
SUBSTANCE_ABUSE = "substance_abuse"
SUICIDE = "suicide"
SELF_HARM = "self_harm"
EATING_DISORDER = "eating_disorder"
ABUSE = "abuse"
"""Hurting someone close: to be found near partner or childhood words."""
PARTNER = "partner"
CHILDHOOD = "childhood"
DOMESTIC_ABUSE = "domestic_abuse"
CHILD_ABUSE = "child_abuse"
GRIEF = "grief"
NONCON = "noncon"
MINOR_AGE = "minor_age"
IGNORE = "ignore"
"""Idioms that contain a cue word but mean nothing ('dead tired', 'bloody hell'):
matching them first keeps the cue word from counting."""

# Shorthands usable in the specs as $NAME.
MACROS: dict[str, str] = {
    "AGES_WORDS": "{twelve,thirteen,fourteen,fifteen,sixteen,seventeen}",
    "AGES_DIGITS": "{12,13,14,15,16,17}",
    "HIM": "{him,her,me,you,them}",
    "HIS": "{his,her,my,your,their}",
}

CUES: dict[str, str] = {
    SEX_EXPLICIT: """
        2: cock{,s}; cockhead; clit{,oris}; penis{,es}; vagina{,s}; vulva; labia;
           erection{,s}; hard-on; boner; orgasm{,s,ed,ing,ic}; ejaculat{e,ed,es,ing,ion};
           semen; cum; cumming; come inside $HIM; came inside $HIM; precome; pre-come;
           precum; blowjob{,s}; blow job{,s}; handjob{,s}; hand job; went down on $HIM;
           going down on $HIM; go down on $HIM; sucked {him,her} off; suck {him,her} off;
           sucking {him,her} off; jerked {him,himself,me,myself} off;
           jerking {him,himself,me,myself} off; jerk off; jacked off; jerked off;
           masturbat{e,ed,es,ing,ion}; touched {himself,herself};
           touching {himself,herself}; stroked himself; stroking himself;
           rimm{ing,ed}; rim job; rimjob; fingered {him,her,herself,himself,me};
           fingering {him,her,herself,himself,me}; {two,three} fingers inside;
           fingers inside $HIM; lube; lubed; lubricant; condom{,s}; dildo{,s};
           vibrator; anal; oral sex; penetrat{e,ed,es,ing,ion};
           fucked $HIM; fucking $HIM; fuck me; fuck {him,her} {hard,harder,deeper};
           fucked into; fucking into; thrust{,s,ed,ing} into $HIM; thrust inside;
           slid into $HIM; sank into $HIM; buried himself; pounded into $HIM;
           his length; her folds; her entrance; his entrance; his hole; wet heat;
           tight heat; her core; his shaft; her sex; his sex; testicles; scrotum;
           tits; pussy; cunt; balls deep; spilled over; came {hard,undone,apart};
           came with a; came all over; coming undone; on the verge of coming;
           about to come; make {him,her,me} come; made {him,her,me} come
           hand around {him,his cock,his length,them both}; took him in hand;
           took {him,her} {in,into} {his,her} mouth; rode {him,her}; riding {him,her};
           moved inside {him,her,me}; slid inside {him,her,me}; pushed inside {him,her,me};
           pushed into {him,her,me}; sank down on {him,her}; stroked him; stroking him;
           stroked {his,her} {cock,clit,length}; her wetness; his hardness;
           clenched around {him,his}; tightened around {him,his};
           came {with a shout,with a cry,with a gasp,with a groan,with a moan,with a sob,again};
           when {he,she,i,you} {came,comes,come}; {he,she} came first;
           tipped over the edge; pulled {him,her,me} over the edge; his climax; her climax;
           kissed {his,her} {breasts,breast,nipples,nipple}; then lower; kissed lower
        1.5: {he,she} was hard; already hard; hard already; was so hard; was so wet;
             she was wet; her thighs apart; his thighs apart
        1: dick{,s}; climax{,ed,es,ing}; inside {him,her,me}; balls; his release;
           her release; bucked; thrust{,s,ing}; rutt{ed,ing}; sucked hard;
           between $HIS {legs,thighs}; spread {his,her,my} legs; spread her thighs;
           wrapped {his,her,my} legs around
    """,
    SEX_SENSUAL: """
        1.5: naked; nude; aroused; arousal; moan{,s,ed,ing}; nipple{,s}; breast{,s};
             undress{,ed,es,ing}; unbutton{,ed,ing} $HIS {shirt,jeans,trousers,blouse};
             stripped {off,him,her}; straddl{e,ed,es,ing}; writh{e,ed,es,ing};
             hips {bucked,rolled,jerked,stuttered}; rolled {his,her} hips;
             ground against; grinding against; inner thigh{,s}; lust; lustful;
             sex; sexual{,ly}; horny; hard against; slick; his bare; her bare;
             bare skin; bare chest{,ed}; shirtless; topless; panties; underwear;
             boxers; bra; bulge; his arse; his ass; her ass; her arse; buttocks;
           undressed each other; sucked a mark; love bite{,s}; hickey{,s};
           kissed {his,her} {neck,throat,collarbone,chest,stomach,belly,hip,hips,thigh,thighs};
           kissing {his,her} {neck,throat,collarbone,chest,stomach,belly,hip,hips,thigh,thighs};
           kisses {his,her} {neck,throat,collarbone,chest,stomach,belly,hip,hips,thigh,thighs}
        1: thighs; licked; sucked; panting; groan{,ed,ing}; his hips; her hips;
           mouth on; kissed down; kissed along; kisses down; his tongue; her tongue;
           over the edge; pleasure; arched {into,against,off the bed,up}; bit {his,her} lip;
           rocked {into,against}; bucked into; cried out
        0.3: gasped; tongue; shudder{,ed,ing}; trembl{e,ed,ing}; skin; wet; hard; sheets;
           sweat
    """,
    SEX_IMPLIED: """
        2: had sex; have sex; having sex; slept together; sleeping together; sleep together;
           slept with $HIM; sleeping with $HIM; made love; make love; making love;
           lovemaking; woke up naked; woke naked; waking up naked; one-night stand;
           one night stand; post-coital; afterglow; foreplay; took {him,her} to bed;
           take {him,her} to bed; tangled sheets; tangled in the sheets
        1.5: woke up in {his,her} bed; woke up next to {him,her}; woke up beside {him,her};
             woke up in {his,her} arms; hook{ed,ing} up; walk of shame; in bed together;
             clothes {on,across,scattered across,strewn across,all over} the floor;
             in a heap on the floor; lay tangled; tangled together; shower together;
             kissed {him,her} senseless; sated
        1.5: woke {up,} {beside,next to} {him,her}; the sheet {slid,slides,slipped,slips,pooled,
             had slid,had slipped};
             led {him,her} {upstairs,up the stairs,towards the stairs,to bed,to the bed,
             towards the bed};
             pulled {him,her} {upstairs,up the stairs,towards the bed,to the bed,onto the bed,
             down onto the bed};
             pulled {his,her} {shirt,dress,top,jumper,sweater,tunic,robe} off;
             pulled {his,her} {shirt,dress,top,jumper,sweater,tunic} over {his,her} head
        1: sleep with $HIM; morning after; seduc{e,ed,es,ing,tion}; in $HIS bed;
           {asleep,sleeping,lying,lay} beside {him,her}; pulled the sheet{,s} up;
           marks on {his,her} {shoulders,neck,throat,back,hips,thighs}; heap on the floor;
           until morning; pulled {his,her} shirt {loose,free,open};
           unbuckled {his,her} belt; {fumbled with,undid} {his,her} belt;
           belt buckle; pulled {him,her} {into the bedroom,into bed,to bed};
           pulled {him,her} into {his,her} room;
           into $HIS bed; led {him,her} to the bedroom; lingerie; intimately
        0.5: into bed; to the bedroom; intimate; intimacy; wanted {him,her};
             {shut,closed} the door behind them; upstairs
        0.3: bedroom; the night before; last night; afterward{,s}; rumpled; shared a bed;
             share a bed; one bed; want you; need you
        0.2: bed; spent; pillow; robe
    """,
    KISS: """
        2: kiss{,es,ed,ing}; snog{,s,ged,ging}; made out; making out; make out;
           lips met; lips brushed; lips crashed; pressed {his,her,their} lips;
           pressed a kiss; claimed {his,her} mouth; mouths met
        1: peck{,ed}; smooch{,ed}; lips; kissable
    """,
    KISS_CHASTE: """
        1: {kissed,kisses,kissing,kiss} $HIS {cheek,cheeks,forehead,brow,temple,hair,hand,knuckles,
           fingers,head,nose,wrist,palm};
           {kissed,kisses,kissing} {him,her,me} on the {cheek,forehead,head,brow,temple,hand,nose};
           {kissed,kisses,kissing} the top of $HIS head; kiss on the {cheek,forehead,head,brow,
           hand};
           peck on the cheek; goodnight kiss; air kiss; blew a kiss; blew him a kiss;
           blew her a kiss
    """,
    ROMANCE: """
        2: in love; fell in love; falling in love; fall in love; i love you; love you;
           lover{,s}; boyfriend{,s}; girlfriend{,s}; husband{,s}; wife; wives;
           spouse; fiancé{,e}; fiance{,e}; married; marry; marrying; wedding{,s};
           proposed to $HIM; marriage proposal; marry me; engagement ring; darling; sweetheart;
           my love; beloved;
           first date; on a date; our date; dating; romantic{,ally}; romance;
           held hands; holding hands; hold hands; laced their fingers;
           intertwined their fingers; cuddl{e,ed,es,ing}; snuggl{e,ed,es,ing};
           flirt{,s,ed,ing}; flirtatious; crush on; love of my life; soulmate{,s};
           honeymoon; anniversary; courting; courtship
        1: loved $HIM; loves $HIM; love; loved; loving; hand in hand;
           nuzzl{e,ed,es,ing}; caress{,ed,es,ing}; embrace{,d,s}; desire{,d,s};
           longing; yearn{,ed,ing}; ached for; crush; blush{,ed,es,ing};
           heart {raced,fluttered,skipped,pounded}; butterflies; jealous; jealousy;
           babe; sweetie; honey; dearest; gorgeous; handsome; beautiful; pretty;
           stroked $HIS {hair,cheek,face,jaw}; cupped $HIS {face,cheek,jaw};
           tucked a strand; gazed; adoring; adored; tender{,ly}; fond{,ly,ness}
        0.5: touched; held $HIM; hand; fingers; smiled at $HIM; warm; date
    """,
    FRIENDSHIP: """
        2: best friend{,s}; like a brother; like a sister; like brothers; like sisters;
           brother in all but blood; sister in all but blood; brothers in arms;
           platonic; friendship; old friend{,s}; good friend{,s}
        1: friend{,s}; hug{,s,ged,ging}; clapped {him,her} on the {back,shoulder};
           had {his,her} back; got your back; comrade{,s}; teammate{,s}; loyal{,ty};
           trust{,ed,s}; pal; buddy; mate; partner{,s}; team; together; sparring
    """,
    FAMILY: """
        2: {his,her,my,your,their} {brother,sister,brothers,sisters,uncle,aunt,nephew,niece,
           mother,father,mom,mum,dad,son,daughter,cousin,twin,sibling,siblings,grandfather,
           grandmother,stepfather,stepmother,stepson,stepdaughter,godfather,godson,goddaughter,
           ward,mentor,student,apprentice,padawan,master};
           big brother; little brother; big sister; little sister; baby brother; baby sister;
           kid brother; kid sister; older brother; younger brother; older sister;
           younger sister; family
        1: brother; sister; brothers; sisters; uncle; nephew; niece; mother; father; mom;
           mum; dad; son; daughter; twin; kid; kiddo; sibling{,s}
    """,
    VIOLENCE_GRAPHIC: """
        2: gore; gory; entrails; intestines; innards; disembowel{,ed,led,ing};
           eviscerat{e,ed,ing,ion}; dismember{,ed,ing,ment}; decapitat{e,ed,ing,ion};
           behead{,ed,ing}; severed; mutilat{e,ed,ing,ion}; impal{e,ed,ing};
           slit $HIS throat; cut $HIS throat; throat {slit,cut}; tore out $HIS throat;
           blood {pooled,spurted,gushed,sprayed,splattered,poured,soaked,everywhere,pumped,bubbled};
           pool of blood; pools of blood; blood-soaked; soaked in blood; covered in blood;
           drenched in blood; brain matter; brains; skull {cracked,shattered,caved};
           bone {snapped,cracked,shattered,splintered}; bones {snapped,cracked,shattered};
           snapped $HIS neck; broke $HIS neck; compound fracture; exposed bone;
           flesh {tore,torn,ripped,split,parted,burned}; torn flesh; ripped open;
           gunshot wound{,s}; shot {him,her,me,them} in the {head,chest,stomach,gut,face,leg,
           shoulder};
           bled out; bleeding out; bleed out; gutted; carnage; massacre{,d}; slaughter{,ed};
           burned alive; burnt alive; flayed; maimed; charred; mangled; stabbed;
           stabbing; stab wound{,s}; knife {into,in} $HIS; blade {into,in} $HIS;
           sword through; run through; bullet {tore,ripped,hole}; blew $HIS brains out;
           beat {him,her} to death; beaten to death; bludgeon{,ed}; strangl{e,ed,ing};
           choked to death; gouged; slashed; hacked; spilled {his,her,their} guts;
           coughed up blood; coughing up blood; vomited blood; spat blood; spitting blood
           burning flesh; burnt flesh; smell of burning flesh; skin peel{ed,s,ing};
           skin {blistered,blisters,blackened,blackens,bubbled,melted,sloughed};
           cut off $HIS {hand,arm,leg,legs,head,fingers,finger,ear};
           set {him,her,them} on fire; set {himself,herself} on fire; burned to death;
           blood {ran,runs,running,streamed,streaming,trickled,trickling,poured,welled,welling};
           blood in $HIS mouth; tasted blood; tastes blood; mouth full of blood
        1: guts; stab; wound{,s,ed}; bleeding; scream{ed,ing} in pain; screams of pain;
           agony; howled in pain; shattered; torn open; stump{,s}; went up in flames;
           lost $HIS {arm,leg,hand,eye,fingers}; blister{ed,ing,s}; cauteri{sed,zed};
           scorched; burns
        0.5: scream{,s,ed,ing}; on fire
    """,
    TORTURE: """
        2: tortur{e,ed,es,ing,er,ers}; waterboard{,ed,ing}; thumbscrew{,s};
           pulled out $HIS {fingernails,nails,teeth}; flay{,ed,ing};
           electrodes; branded {him,her}; hot iron; the rack; cruciatus; crucio;
           cattle prod
        1: interrogat{ion,ed,or}; electrocut{e,ed,ing,ion}; shackles; chained to;
           strapped down; restraints; bamboo
    """,
    BLOOD: """
        1.5: blood-soaked; bloodstained; blood-stained; bloodied; bloodsoaked
        1: blood; bleeding; bled; bleed{,s}; bloody
    """,
    INJURY: """
        1: wound{,s,ed}; injur{y,ies,ed}; gash{,es}; laceration{,s};
           broken {rib,ribs,arm,leg,nose,bone,bones,jaw,wrist,fingers,hand};
           cracked {rib,ribs,skull}; concussion; fracture{,s,d}; stitches;
           bullet{,s}; bruis{e,es,ed,ing}; black eye; split lip; busted lip;
           dislocated; sprained; burns; scar{,s,red}; agony; limp{,ed,ing};
           bandage{,s,d}; tourniquet; pain
    """,
    VIOLENCE_MILD: """
        1: punch{,ed,es,ing}; threw a punch; hit $HIM; kick{,ed,ing} $HIM;
           slap{,ped,ping}; shov{e,ed,ing}; fistfight; brawl{,s}; beat {him,her} up;
           beat up; beaten; attack{,ed,ing,s}; ambush{,ed}; fought; fight{,s,ing};
           shot at; gunfire; shooting; killed; kill; murder{,ed,er,ous};
           slammed $HIM {into,against}; choke{,d}; headbutt{,ed}; elbowed; tackled;
           strangled; assault{,ed}; staked; explosion; grenade; bomb
        0.5: battle{,s}; gun{,s}; pistol; rifle; revolver; shoot; knife; dagger; sword{,s};
             blade{,s}; weapon{,s}; wand pointed; hex{,ed}; cursed; war; soldier{,s};
             wrestled; phaser; blaster; lightsaber; fist{,s}; stake; crossbow; fangs
    """,
    DEATH: """
        0.3: body; die
        1: died; dies; dying; dead; death{,s}; deceased; killed; murdered; slain;
           passed away; was gone; is gone; corpse{,s}; lifeless; last breath;
           stopped breathing; no pulse; heart stopped; never woke up; buried; burial;
           funeral{,s}; grave; gravestone; headstone; tombstone; coffin; casket;
           eulogy; obituary; autopsy; morgue; time of death; executed; killed in action;
           didn't make it; did not make it
    """,
    DEATH_EVENT: """
        2: {he,she,they} {died,was dead,is dead,were dead,passed away,was killed,were killed,
           stopped breathing,never woke up};
           {he's,she's} dead; {his,her,their} {funeral,grave,death,corpse,coffin,casket,headstone,
           gravestone,ashes,urn,eulogy};
           killed {him,her,them}; murdered {him,her,them}; died in $HIS arms;
           {his,her} body {lay,was found,went limp,went still,lay still}; the body;
           {his,her} dead body; {his,her} lifeless; took {his,her} last breath;
           time of death; since {he,she} died; after {he,she} died; the day {he,she} died;
           before {he,she} died; when {he,she} died; the funeral; at the funeral;
           dead and buried; deathbed; {died,passed} in {his,her} sleep;
           never {opened,woke,spoke} {his,her} {eyes,again}; slipped away; final breath;
           breathed {his,her} last
        1: hospice; palliative; last breath{,s}; {his,her} breathing {changed,slowed,stopped,
           stuttered,rattled};
           went still; {his,her} hand went {slack,limp,cold};
           flatline{,d}; the monitor; not long now; said goodbye;
           {his,her} empty {chair,bed,room,side of the bed}; the empty chair
    """,
    SWEAR_STRONG: """
        1: fuck; fucks; fucking; fucked; fucker{,s}; motherfuck{er,ers,ing}; fuckin;
           shit; shits; shitty; bullshit; shithead; bitch; bitches; bastard{,s};
           asshole{,s}; arsehole{,s}; dickhead; prick; cocksucker; wanker; twat;
           goddamn; goddammit; son of a bitch; piss off
    """,
    SWEAR_MILD: """
        1: damn; damned; dammit; damnit; hell; crap; crappy; bloody; ass; arse;
           pissed; jackass; screw you; sod off; bugger; bollocks; idiot; git; moron
    """,
    DRUGS: """
        2: heroin; cocaine; crack cocaine; meth; methamphetamine{,s}; crystal meth; ecstasy;
           mdma; lsd; acid trip; magic mushrooms; shrooms; ketamine; opium; opium den;
           laudanum; marijuana; cannabis; track marks; shot up; shooting up; shoot up;
           snorted a line; line of coke; lines of coke; snorting coke; snorted coke;
           got high; getting high; get high; was high; high as a kite; stoned; junkie;
           overdos{e,ed,es,ing}; od'd; popped pills; popping pills; spliff; bong;
           smoked a joint; rolled a joint; smoking a joint; opioid{,s}; fentanyl;
           amphetamine{,s}; narcotic{,s}; dealer; drug dealer; his fix; her fix;
           needle in {his,her} arm; crack pipe; cocaine habit; seven-per-cent solution;
           injected {himself,herself}; hypodermic; off {his,her,your,my,their} face;
           using again; shooting gallery; crack den
        1: drug{,s}; drugged; weed; pills; dope; morphine; xanax; valium; adderall;
           tripping; glitterstim; deathsticks; death sticks
        0.5: joint; syringe; needle{,s}; painkiller{,s}; spice
    """,
    ALCOHOL: """
        2: drunk; drunken{,ly}; tipsy; hungover; hangover; wasted; plastered; sloshed;
           smashed
        1: beer{,s}; wine; whiskey; whisky; firewhisky; firewhiskey; vodka; rum; gin;
           scotch; bourbon; tequila; brandy; champagne; cognac; mead; ale; lager; cider;
           absinthe; liquor; booze; alcohol; alcoholic; sherry; port; martini{,s};
           cocktail{,s}; pint{,s}; shot{,s} of; a glass of; glass of wine; bottle of;
           drinking; drank; pub; bartender; bar; tavern; cantina; sake; saki; soju;
           synthehol; romulan ale; tumbler; decanter; hip flask; flask
    """,
    SUBSTANCE_ABUSE: """
        2: addict{,s,ed,ion}; alcoholic; alcoholism; drinking problem; rehab; relaps{e,ed,ing};
           sobriety; days sober; months sober; years sober; days clean; months clean;
           years clean; aa meeting{,s}; alcoholics anonymous; narcotics anonymous;
           twelve steps; twelve-step; fell off the wagon; falling off the wagon;
           on the wagon; withdrawal{,s}; detox; junkie; drank himself; drank herself;
           drinking himself; drinking herself; using again; stay clean; staying clean;
           got clean; getting clean; dependency; dependence;
           {you're,you were,i'm,i was,he was,she was,he's,she's,you'd been,he'd been,
           she'd been} clean
        1: sober; craving{,s}; habit; relapse; overdose; another drink; one more drink;
           the shakes; hidden bottle{,s}; empty bottle{,s}; bottles
    """,
    SUICIDE: """
        2: suicid{e,al}; kill myself; killing myself; kill himself; killing himself;
           kill herself; killing herself; killed himself; killed herself; end it all;
           end my life; ending my life; end his life; end her life; take my own life;
           took his own life; took her own life; want{,ed} to die; wanting to die;
           wish{,ed} {i,he,she} {was,were} dead; better off dead; better off without me;
           didn't want to live; don't want to live; no reason to live; noose;
           slit {his,her,my} wrists; suicide note; jump{,ed} off the {bridge,roof,building}
        1: edge of the roof; wanted it to stop; want it to stop; wanted it all to stop
        0.5: not wake up; never wake up; the ledge; disappear forever; easier if i wasn't;
             better off without
    """,
    SELF_HARM: """
        2: self-harm{,ing}; self harm; self-injury; self-mutilation; cut himself;
           cut herself; cut myself; cutting himself; cutting herself; cutting myself;
           cutting again; the urge to cut; fresh cuts; razor blade{,s};
           scars on $HIS {wrists,arms,thighs,forearms}; burned himself; burned herself;
           burned myself; hurt himself on purpose; hurt herself on purpose;
           hurting himself; hurting herself; hurting myself; scratched until
           {scars,cuts,marks} on the inside of $HIS {forearm,forearms,arm,arms,wrist,wrists,thigh,
           thighs}
        1: razor; blade against; long sleeves; wrist{,s}; old scars; thin scars;
           inside of $HIS {forearm,wrist}; pushed up $HIS {sleeve,sleeves};
           hid $HIS arms; tugged $HIS sleeves;
           silvery scars; relapsed; clean for; bandaged wrists
    """,
    EATING_DISORDER: """
        2: anorexia; anorexic; bulimia; bulimic; eating disorder; counting calories;
           count calories; calorie{,s}; skipped meals; skipping meals; skip meals;
           stopped eating; starving himself; starving herself; starving myself;
           purg{e,ed,ing}; binge{,d,s,ing}; made herself sick; made himself sick;
           made herself throw up; made himself throw up; weighed herself; weighed himself;
           too thin
        1: hadn't eaten; not hungry; barely eaten; barely ate; ribs showing; jutting ribs;
           hip bones; weight; the scale; fat; starv{e,ed,ing}; skinny; threw up
    """,
    ABUSE: """
        2: abus{e,ed,er,ers,ive,ing}; hit $HIM; hit {his,her} {wife,husband,son,daughter};
           beat {me,him,her}; beating {me,him,her}; beatings; beaten; slapped $HIM;
           hurt $HIM; bruises; bruised; the belt; his belt; a belt; afraid of {him,her};
           scared of {him,her}; flinch{,ed,es,ing}; cowered; locked in; cupboard;
           walked into a door; fell down the stairs; backhand{,ed}; shouting;
           screaming at; yelling at; thrown against; threw {him,her,me} against
    """,
    PARTNER: """
        1: husband; wife; boyfriend; girlfriend; partner; ex; ex-husband; ex-wife;
           ex-boyfriend; ex-girlfriend; marriage; married; fiancé; fiance; spouse
    """,
    CHILDHOOD: """
        1: father; dad; mother; mum; mom; stepfather; stepmother; uncle; aunt;
           as a child; as a boy; as a girl; as a kid; when he was little; when she was little;
           when i was little; when he was a child; when she was a child; childhood; parents;
           foster; orphanage; little boy; little girl; small boy; small girl; children; kid;
           years old; his room; her room
    """,
    DOMESTIC_ABUSE: """
        2: domestic violence; domestic abuse; abusive husband; abusive boyfriend;
           abusive girlfriend; abusive wife; abusive partner; abusive relationship;
           abusive marriage; abusive ex; restraining order; battered wife; battered woman;
           beat his wife; beats his wife; hit his wife; hits his wife; women's shelter
    """,
    CHILD_ABUSE: """
        2: child abuse; abused as a child; abusive father; abusive mother; abusive parents;
           abusive parent; abusive stepfather; abusive uncle; beat him as a child;
           beat her as a child; cupboard under the stairs; hit him as a boy;
           social services; child protective services; neglected child; child neglect;
           locked in the cupboard; his father's belt; her father's belt; his father hit;
           her father hit; his father beat; her father beat; his mother hit; her mother hit
    """,
    GRIEF: """
        2: grief; griev{e,ed,es,ing}; mourn{,ed,ing,er,ers}; eulogy; graveside; condolence{,s};
           widow{,ed,er}; since he died; since she died; after he died; after she died;
           the day he died; the day she died; the funeral; his funeral; her funeral;
           bereave{d,ment}; memorial; in memory of; his grave; her grave; their grave;
           the anniversary of; missed him so much; missed her so much; miss him so much;
           miss her so much; his absence; her absence; his ashes; her ashes
        1: funeral; grave; headstone; gravestone; tombstone; cemetery; graveyard; urn;
           passed away; sobbed; wept; lost him; lost her
        0.3: ashes; loss; tears; empty; missed him; missed her; miss him; miss her; gone;
             dead; died
    """,
    NONCON: """
        2: rape; raped; raping; rapist{,s}; non-con; noncon; non-consensual; nonconsensual;
           without consent; without {his,her,my} consent; didn't consent; did not consent;
           didn't want this; against {his,her,my} will; forced himself on;
           forced himself into; forced herself on; forced {him,her} down;
           begged {him,her} to stop; sexual assault; sexually assaulted; sexually abused;
           molest{,ed,ing,ation,er}; violated; dubcon; dub-con; couldn't fight {him,her} off;
           didn't stop when; wouldn't stop when; he didn't stop; she didn't stop
        1: held {him,her,me} down; pinned {him,her,me} down; said no; told {him,her} no;
           please stop; stop, please; no, please; please don't; don't touch me;
           struggled; drugged; unconscious; couldn't move; tried to push {him,her} away;
           ignored {his,her} protests
    """,
    MINOR_AGE: """
        2: $AGES_WORDS years old; $AGES_WORDS year old; $AGES_WORDS-year-old;
           $AGES_DIGITS years old; $AGES_DIGITS year old; $AGES_DIGITS-year-old;
           aged $AGES_WORDS; age of $AGES_WORDS; only $AGES_WORDS; just $AGES_WORDS;
           {twelfth,thirteenth,fourteenth,fifteenth,sixteenth,seventeenth} birthday;
           underage; under-age; middle school; junior high;
           {sixth,seventh,eighth,ninth,tenth,eleventh} grade; {sixth,seventh,eighth,ninth,
           tenth}-grader
        1: high school; high-school; sophomore; freshman; schoolboy; schoolgirl;
           his parents' house; curfew; teenage; teenager{,s}; minor
    """,
    IGNORE: """
        1: dead tired; dead end; dead serious; dead on; dead set; dead of night; dead center;
           dead giveaway; drop dead; drop-dead; dead to the world; dead silent; dead silence;
           deadpan; dead ringer; dead heat; dead weight; killing me; kill me now; killed it;
           to die for; dying to; die laughing; scared to death; bored to death; bored me to death;
           worried to death; death glare; deathly pale; over my dead body; graveyard shift;
           bloody hell; bloody good; bloody brilliant; bloody idiot; bloody well;
           blood pressure; blood type; blood test; blood sugar; blood relative{,s};
           blood brother{,s}; bad blood; shot glass; gave it a shot; give it a shot;
           long shot; big shot; hit it off; hit the road; hit the sack; hit the hay;
           hit the books; hit on {him,her,me}; punch line; punchline; fruit punch; beat it;
           heartbeat; drop the bomb; suicide mission; suicide squad; binge-watch{,ed,ing};
           binge watch{,ed,ing}; for god's sake; for goodness' sake; for pete's sake;
           for heaven's sake; for your sake; for his sake; for her sake; for my sake;
           for their sake; for the sake of; sake of; high ground; high time; high noon;
           high street; highly; sky-high; knee-high; high-pitched; high-functioning;
           high and dry; high hopes; high school; high-school; shot of adrenaline;
           hell of a; a hell of; what the hell; hell no; hell yes; love to; i'd love;
           would love; love to; loved to; lovely; cut it out; cut the crap; kiss of death;
           bottle it up; bottled up; the bar; bar none; candy bar; chocolate bar;
           health bar; crowbar; space bar; dead of winter
    """,
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _words_in_order(text: str) -> list[str]:
    return text.split()


# Words that may stand for a character's name but are also ordinary English words or
# titles: a capitalised one at the start of a sentence is no evidence of a name.
COMMON_WORDS: frozenset[str] = FREQUENT_WORDS | _words(
    """
    will may june april august mark bill pat rob sue jack frank grant ray sky storm
    rogue summer summers amber dawn faith hope grace joy rose lily daisy violet ruby
    pearl jade crystal iris ivy holly heather fern hazel olive angel spike bones data
    chase hunter archer sage river autumn winter hawk raven wolf fox bear tiger lion
    sparrow robin jay drew guy eve harmony glory charity mercy patience prudence destiny
    trinity black white brown green gray grey young hill wells banner stark strange fury
    vision falcon cap nat buck doc boss chief major general captain doctor professor
    commander master lady lord king queen prince princess kid baby sweetie honey sugar
    mom dad mum father mother cook baker smith miller carter mason porter fisher page
    bishop knight pope marshal sterling stone rock chance cash penny nick bob dick art
    earl duke baron count sly sunny happy lucky rusty sandy dusty misty star moon sun
    rain snow cloud shadow ghost phoenix dragon cat kit kitty bunny pip tiny red blue
    scarlet ash birch oak reed brook cliff dale glen forest wood field lane riddle
    reason trust wren finch crow swift swan drake fawn doe book shepherd wash pilot
    mister sir madam miss mrs mr ms beast widow panther rocket nebula mantis stranger
    hero ranger rider keeper seeker warden watcher slayer key tin seven sister brother
    son daughter uncle aunt cousin nana gran granny pops papa mama mummy daddy boy girl
    man woman lad lass chap bloke fellow friend mate pal buddy dear love darling
    sweetheart pet sweet cutie handsome beautiful gorgeous pretty ginger blondie shorty
    big little old pain might war famine pestilence death potter
    """
)

# Given names so common that one alone says nothing about the fandom.
COMMON_FIRST_NAMES: frozenset[str] = _words(
    """
    john james mary michael david robert william richard thomas charles joseph daniel
    paul mark george peter sam samuel tom jim bob bill mike steve tony nick chris matt
    dave dan ben jack harry fred frank henry edward arthur alex andrew anna anne sarah
    jane elizabeth emma emily kate katie lucy lily rose molly sally susan jenny jessica
    laura lisa maria martha rachel rebecca ruth helen alice amy claire grace julia
    margaret victoria charlotte sophie ellen eric kevin brian adam jason scott ryan greg
    carl carol philip phil simon stephen steven andy ed eddie joe joey jimmy johnny
    billy will liam lucas jacob noah ethan oliver jake luke max leo sean patrick ian
    colin neil gary kelly mia ava olivia isabella sophia chloe ella hannah natalie nat
    beth amanda jennifer linda barbara patricia nancy karen betty dorothy sandra donna
    ashley kim michelle angela melissa deborah stephanie sharon cynthia kathleen amy
    shirley janet catherine frances christine marie joan evelyn judith megan andrea
    cheryl heather teresa gloria doris sara janice julie martin walter roger keith
    jeremy terry sean harold douglas henry carl arthur ryan roger joe juan jonathan
    larry justin gerald benjamin bruce albert howard dennis jerry tyler aaron jose adam
    henry nathan zachary kyle walter harold jeremy ethan carl keith roger gerald
    christian terry sean austin arthur lawrence jesse dylan bryan joe jordan billy bruce
    albert willie gabriel logan alan juan wayne roy ralph randy eugene vincent russell
    elijah louis bobby philip johnny jean luc margaret pepper peggy
    """
)

# Words that start or qualify a name without being one: never taken alone as a name.
NAME_PARTICLES: frozenset[str] = _words(
    """
    mr mrs ms miss mx dr doctor professor prof captain capt agent detective inspector
    sergeant sgt colonel col general major lieutenant lt commander admiral ensign chief
    lord lady sir dame king queen prince princess duke duchess earl count countess baron
    saint st father mother sister brother uncle aunt master mistress madam the a an of
    de van von da la le del der den di du al el bin ben o mac mc jr sr ii iii iv
    """
)

# Verbs that attribute dialogue: "said Buffy", "Buffy asked".
SPEECH_VERBS: tuple[str, ...] = tuple(
    _words_in_order(
        """
    said says asked asks replied replies answered whispered shouted yelled muttered
    murmured snapped called cried added continued sighed laughed growled hissed breathed
    demanded admitted insisted offered agreed protested snarled grumbled mumbled drawled
    teased explained began interrupted repeated conceded told tells announced retorted
    countered corrected warned promised pleaded begged chuckled grinned smiled nodded
    shrugged groaned huffed scoffed snorted exclaimed declared observed remarked noted
    suggested wondered murmurs whispers shouts yells mutters sighs laughs growls hisses
    """
    )
)


# Expansion ------------------------------------------------------------------------------

_BRACES = re.compile(r"\{([^{}]*)\}")
_MACRO = re.compile(r"\$([A-Z_]+)")
_WEIGHT_LINE = re.compile(r"\s*(?P<weight>\d+(?:\.\d+)?):(?P<rest>.*)")


def expand(item: str) -> list[str]:
    """Every phrase a lexicon item stands for: ``kiss{,es}`` -> ["kiss", "kisses"]."""
    parts = _BRACES.split(item)
    # Odd parts are the insides of braces.
    choices = [[part] if index % 2 == 0 else part.split(",") for index, part in enumerate(parts)]
    phrases = ("".join(combo) for combo in itertools.product(*choices))
    expanded = [" ".join(phrase.split()) for phrase in phrases if phrase.strip()]
    if any("{" in phrase or "}" in phrase for phrase in expanded):
        raise ValueError(f"lexicon item with nested or unbalanced braces: {item!r}")
    return expanded


def parse_spec(spec: str) -> list[tuple[str, float]]:
    """(phrase, weight) pairs of a class spec; a later weight for a phrase wins."""
    weights: dict[str, float] = {}
    blocks: list[tuple[float, list[str]]] = []
    for line in spec.splitlines():
        if match := _WEIGHT_LINE.match(line):
            blocks.append((float(match["weight"]), [match["rest"]]))
        elif line.strip():
            if not blocks:
                raise ValueError(f"lexicon line without a weight: {line.strip()!r}")
            blocks[-1][1].append(line)
    for weight, lines in blocks:
        text = _MACRO.sub(lambda m: MACROS[m.group(1)], " ".join(lines))
        for item in text.split(";"):
            for phrase in expand(item):
                weights[phrase] = weight
    return list(weights.items())


BLOOD_WORDS = frozenset({"blood", "bleeding", "bled", "bleed", "bleeds", "bloodied"})


def cue_table() -> dict[str, list[tuple[str, float]]]:
    """Every cue phrase with its (class, weight) pairs. A phrase of another class that
    speaks of blood ("blood pooled", "tasted blood") also counts for BLOOD, since only
    one phrase matches at a place."""
    table: dict[str, list[tuple[str, float]]] = {}
    for cls, spec in CUES.items():
        for phrase, weight in parse_spec(spec):
            table.setdefault(phrase, []).append((cls, weight))
    for phrase, meanings in table.items():
        classes = {cls for cls, _ in meanings}
        if BLOOD_WORDS & set(phrase.split()) and not classes & {BLOOD, IGNORE}:
            meanings.append((BLOOD, 1.0))
    return table
