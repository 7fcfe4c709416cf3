"""Frequent English words, for telling a capitalised word at the start of a sentence
from a name ("Pain flared." is not the character Pain). Data only; written from general
knowledge of English word frequency, not from any story."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FREQUENT_WORDS: frozenset[str] = _words(
    """
    a about above across act action add after again against age ago agree ahead air all
    almost alone along already also always am among an and anger angry animal another
    answer any anyone anything appear apple are area arm army around arrive art as ask
    at attack aunt autumn away baby back bad bag ball bank bar base bath battle be bear
    beat beautiful because become bed been before began begin behind being believe bell
    below beside best better between big bird bit black blade blood blow blue board boat
    body bone book born both bottle bottom box boy brain branch bread break bridge
    bright bring broke brother brought brown build burn busy but buy by call calm came
    camp can captain car card care carry case cast cat catch cause cell centre century
    certain chair chance change charge chase check chief child choose church circle city
    claim class clean clear climb clock close cloud coat cold colour come common company
    control cook cool copy corner cost could count country course court cover cross
    crowd cry cup current cut dance danger dark data daughter dawn day dead deal dear
    death decide deep desert design desk destiny develop did die different dinner direct
    do doctor does dog done door double down draw dream dress drink drive drop dry dust
    duty each ear early earth east easy eat edge effect egg eight either else empty end
    enemy energy enough enter even evening event ever every evil exact except eye face
    fact fair faith fall family famine far farm fast father fear feel feet fell fellow
    felt few field fight figure fill final find fine finger fire first fish five flat
    floor flower fly follow food foot for force forest form forward found four free
    friend from front fruit full fury future game garden gate gave general gentle get
    gift girl give glad glass glory go god gold gone good grace grand grass great green
    grey ground group grow guard guess guide guy hair half hall hand happen happy hard
    harmony has hat have he head hear heart heat heavy held hell help her here hero high
    hill him his history hit hold hole home honey hope horse hot hour house how huge
    human hunger hunter hurt i ice idea if ill in inch iron is island it its job join
    joy judge jump just justice keep kept key kid kill kind king kiss knew knife knight
    know lady lake land large last late laugh law lay lead learn least leave left leg
    less let letter level lie life lift light like line lion list listen little live
    long look lord lose loss lost lot loud love low luck lucky machine made magic main
    major make man many map march mark market master match matter may me mean meant meet
    memory men mercy might mile mind minute miss moment money month moon more morning
    most mother mountain mouth move much music must my name nation nature near need
    never new news next nice night nine no noble none noon nor north nose not note
    nothing notice now number ocean of off offer office often oil old on once one only
    open or order other our out over own page pain paint pair paper park part party pass
    past path patience peace people perhaps person pick picture piece place plain plan
    plant play please point poor power present press pretty pride prince princess
    problem pull push put queen question quick quiet race rain raise ran rather reach
    read ready real reason red remember rest rich ride right ring rise river road rock
    room root rose round rule run sad safe said sail salt same sand sat save saw say
    school science sea season seat second see seed seem self sell send sense sent serve
    set settle seven shadow shall shape share she shell ship shoe shop short should
    shoulder shout show side sight sign silence silver simple since sing sir sister sit
    six size skin sky sleep slow small smile snow so soft soldier some son song soon
    sound south space speak special spell spike spirit spring square stand star start
    state stay steel step stick still stone stood stop storm story strange street strong
    student study such sudden summer sun sure surprise sweet swift table tail take talk
    tall teacher team tell ten test than thank that the their them then there these they
    thing think third this those though thought three through throw thunder time tiny to
    today together told tomorrow too took top total touch toward town track trade train
    travel tree trouble true trust truth try turn twelve two under until up upon us use
    usual valley very victory view village vision visit voice wait walk wall want war
    warm was watch water wave way we weak wealth wear weather week well went were west
    what wheel when where which while white who whole why wide wild will win wind window
    winter wise wish with within without woman wonder wood word work world would write
    wrong yard year yellow yes yet you young your
    """
)
