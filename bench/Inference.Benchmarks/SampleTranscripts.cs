namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>
/// Call-centre style utterances, 3 to 40 words, used as the text workload so that every batch size
/// encodes exactly the same texts.
/// </summary>
internal static class SampleTranscripts
{
    public static IReadOnlyList<string> All { get; } =
    [
        "Hello, I'm calling about my last bill.",
        "This is the third time I've called about the same problem and nobody has fixed it.",
        "Thank you so much, that's exactly what I needed!",
        "Okay.",
        "I was charged twice for the same order and I want my money back today.",
        "Could you please tell me when the technician is going to arrive?",
        "I'm really worried, my mother's medication delivery hasn't arrived and she needs it tonight.",
        "Wow, I didn't expect the refund to come through so fast.",
        "No, that's not what I asked. Please listen to me.",
        "Can you hold on a second while I find my account number?",
        "Honestly I'm disgusted by how your staff treated me in the store yesterday, it was rude and completely unprofessional.",
        "Sure, go ahead.",
        "I've been on hold for forty-five minutes, this is absolutely ridiculous.",
        "That's great news, my internet is finally working again after a whole week.",
        "I'm not sure I understand the new pricing, could you explain the difference between the two plans?",
        "My husband passed away last month and I need to close his account.",
        "Yes, my date of birth is the fourth of March, nineteen eighty-two.",
        "What do you mean the warranty doesn't cover it? I bought it four months ago!",
        "I'm scared someone has been using my card, there are payments here I never made.",
        "Perfect, thanks for your help, have a nice day.",
        "The app keeps crashing every time I try to upload the photos of the damaged package, and the support page just sends me in circles.",
        "Hmm, let me think about it.",
        "Why would you cancel my flight without telling me? I'm standing at the airport right now!",
        "I'd like to upgrade my plan to the unlimited one, if that's possible.",
        "I'm so sorry to bother you again, but the code you sent me doesn't work.",
        "That's disgusting, there was hair in the food you delivered.",
        "Oh really? I had no idea there was a discount for students.",
        "Please just transfer me to a manager.",
        "I feel really let down, I've been a loyal customer for twelve years and this is how you treat me.",
        "Great, so the new router will arrive on Thursday between eight and noon, and someone will call me the day before to confirm?",
        "I can't believe it, you actually solved it on the first try!",
        "Fine. Whatever. Just send me the form.",
    ];
}
