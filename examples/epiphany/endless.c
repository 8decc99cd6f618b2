/* Never ends: for `epython device run --timeout`. */
volatile unsigned counter;

int main(void)
{
    for (;;)
        counter++;
}
